/// Handle to one named parameter matrix inside a `ParameterStore`.
public struct Param: Hashable, Sendable {
    /// Position in `ParameterStore.entries`.
    public let index: Int
    public let rows: Int
    public let cols: Int
    public var count: Int { rows * cols }
}

/// How to initialise a parameter when it is added.
public enum ParamInit: Sendable {
    case zeros
    case constant(Float)
    /// Normal with mean 0 and the given standard deviation.
    case normal(std: Float)
    /// Normal with std = 1/sqrt(fan) (LFADS convention).
    case fanNormal(fan: Int)
}

/// All parameters of a model in ONE contiguous Float buffer (and one for gradients), with named,
/// shaped views. Optimisers, gradient clipping, checkpoints and copying weights between PBT workers
/// are single-buffer operations on `values` / `grads`.
///
/// Add parameters during setup (the buffers are reallocated then), never during a training step.
public final class ParameterStore {
    /// Metadata of one parameter.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let offset: Int
        public let rows: Int
        public let cols: Int
        /// Frozen parameters (false) get no gradient and are skipped by optimisers.
        public var trainable: Bool
        public var count: Int { rows * cols }
    }

    public private(set) var entries: [Entry] = [] { didSet { rebuildTrainableRanges() } }
    /// (offset, count) of every trainable parameter; hot loops iterate this by index (no allocation).
    private(set) var trainableOffsets: [Int] = []
    private(set) var trainableCounts: [Int] = []

    private func rebuildTrainableRanges() {
        trainableOffsets = entries.filter(\.trainable).map(\.offset)
        trainableCounts = entries.filter(\.trainable).map(\.count)
    }

    /// Calls `body(offset, count)` for each trainable parameter, without allocating.
    @inline(__always)
    func forEachTrainable(_ body: (Int, Int) -> Void) {
        for k in 0..<trainableOffsets.count { body(trainableOffsets[k], trainableCounts[k]) }
    }
    private var byName: [String: Int] = [:]
    /// All parameter values, concatenated in `entries` order.
    public private(set) var values: UnsafeMutableBufferPointer<Float>
    /// All gradients, same layout as `values`.
    public private(set) var grads: UnsafeMutableBufferPointer<Float>
    /// Total number of scalars.
    public var count: Int { values.count }
    /// Bumped whenever the layout changes (optimisers check it).
    public private(set) var layoutVersion = 0

    public init() {
        values = .allocate(capacity: 0)
        grads = .allocate(capacity: 0)
    }

    deinit { values.deallocate(); grads.deallocate() }

    /// Adds a `rows`×`cols` parameter, initialised with `initializer` (drawing from `rng` if random).
    /// Names must be unique.
    @discardableResult
    public func add(_ name: String, rows: Int, cols: Int, init initializer: ParamInit = .zeros,
                    trainable: Bool = true, rng: inout Rng) -> Param {
        precondition(byName[name] == nil, "parameter '\(name)' already exists: use a unique name")
        precondition(rows >= 0 && cols >= 0, "parameter '\(name)' has a negative shape")
        let offset = values.count
        let n = rows * cols
        let newValues = UnsafeMutableBufferPointer<Float>.allocate(capacity: offset + n)
        let newGrads = UnsafeMutableBufferPointer<Float>.allocate(capacity: offset + n)
        if offset > 0 {
            newValues.baseAddress!.update(from: values.baseAddress!, count: offset)
        }
        newGrads.initialize(repeating: 0)
        values.deallocate(); grads.deallocate()
        values = newValues; grads = newGrads
        let p = newValues.baseAddress! + offset
        switch initializer {
        case .zeros: p.initialize(repeating: 0, count: n)
        case .constant(let c): p.initialize(repeating: c, count: n)
        case .normal(let std): rng.fillNormal(p, count: n, std: std)
        case .fanNormal(let fan): rng.fillNormal(p, count: n, std: 1 / Float(max(fan, 1)).squareRoot())
        }
        entries.append(Entry(name: name, offset: offset, rows: rows, cols: cols, trainable: trainable))
        byName[name] = entries.count - 1
        layoutVersion += 1
        return Param(index: entries.count - 1, rows: rows, cols: cols)
    }

    /// Adds a parameter with a deterministic initialiser (no RNG needed).
    @discardableResult
    public func add(_ name: String, rows: Int, cols: Int, init initializer: ParamInit = .zeros,
                    trainable: Bool = true) -> Param {
        var rng = Rng(seed: 0)
        return add(name, rows: rows, cols: cols, init: initializer, trainable: trainable, rng: &rng)
    }

    /// The parameter called `name`, or nil.
    public func param(named name: String) -> Param? {
        guard let i = byName[name] else { return nil }
        let e = entries[i]
        return Param(index: i, rows: e.rows, cols: e.cols)
    }

    /// The entry of `p`.
    public func entry(_ p: Param) -> Entry { entries[p.index] }

    /// Freezes (`false`) or unfreezes a parameter.
    public func setTrainable(_ p: Param, _ trainable: Bool) { entries[p.index].trainable = trainable }

    /// Mutable view of the values of `p` (row-major rows×cols).
    public func value(_ p: Param) -> UnsafeMutableBufferPointer<Float> {
        let e = entries[p.index]
        return UnsafeMutableBufferPointer(rebasing: values[e.offset ..< e.offset + e.count])
    }

    /// Mutable view of the gradient of `p`.
    public func grad(_ p: Param) -> UnsafeMutableBufferPointer<Float> {
        let e = entries[p.index]
        return UnsafeMutableBufferPointer(rebasing: grads[e.offset ..< e.offset + e.count])
    }

    /// Sets all gradients to 0.
    public func zeroGrads() {
        if grads.count > 0 { grads.baseAddress!.update(repeating: 0, count: grads.count) }
    }

    /// Global L2 norm of the gradients of trainable parameters (accumulated in Double).
    public func gradNorm() -> Float {
        var total = 0.0
        let base = grads.baseAddress!
        forEachTrainable { offset, count in
            let g = base + offset
            var i = 0
            while i < count {
                let end = min(count, i + 4096)
                var acc: Float = 0
                for j in i..<end { acc = acc + g[j] * g[j] }
                total += Double(acc)
                i = end
            }
        }
        return Float(total.squareRoot())
    }

    /// Global-norm clipping: if the gradient norm exceeds `maxNorm`, scales all trainable gradients
    /// by maxNorm/norm. Returns the norm BEFORE clipping (non-finite norms are returned unchanged and
    /// gradients are left alone so the caller can detect them).
    @discardableResult
    public func clipGradNorm(_ maxNorm: Float) -> Float {
        let norm = gradNorm()
        guard norm.isFinite, norm > maxNorm, norm > 0 else { return norm }
        let s = maxNorm / norm
        let base = grads.baseAddress!
        forEachTrainable { offset, count in
            let g = base + offset
            for j in 0..<count { g[j] = g[j] * s }
        }
        return norm
    }

    /// Copies all values from `other`, which must have the same layout (names and shapes).
    public func copyValues(from other: ParameterStore) {
        precondition(sameLayout(as: other), "copyValues: parameter layouts differ (same model config needed)")
        if count > 0 { values.baseAddress!.update(from: other.values.baseAddress!, count: count) }
    }

    /// True when `other` has the same parameter names and shapes in the same order.
    public func sameLayout(as other: ParameterStore) -> Bool {
        entries.count == other.entries.count && zip(entries, other.entries).allSatisfy {
            $0.name == $1.name && $0.rows == $1.rows && $0.cols == $1.cols
        }
    }

    /// A copy of all values (for checkpoints).
    public func snapshotValues() -> [Float] { Array(values) }

    /// Restores all values from a snapshot; throws if the size does not match.
    public func restoreValues(_ snapshot: [Float]) throws {
        guard snapshot.count == count else {
            throw EngineError.shapeMismatch("parameter snapshot has \(snapshot.count) values, model needs \(count): checkpoint is from a different model config")
        }
        snapshot.withUnsafeBufferPointer { src in
            if count > 0 { values.baseAddress!.update(from: src.baseAddress!, count: count) }
        }
    }
}

/// Errors thrown by the Engine for bad input (never for internal bugs).
public enum EngineError: Error, CustomStringConvertible, Equatable {
    case shapeMismatch(String)
    case invalidArgument(String)
    public var description: String {
        switch self {
        case .shapeMismatch(let s), .invalidArgument(let s): return s
        }
    }
}
