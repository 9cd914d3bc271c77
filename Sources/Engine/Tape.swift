/// Handle to a value recorded on a `Tape` (a rows×cols Float32 row-major matrix).
/// Valid until the tape's next `reset()`.
public struct Tensor: Equatable, Sendable {
    /// Node index on the tape.
    public let id: Int32
    public let rows: Int
    public let cols: Int
    public var count: Int { rows * cols }
}

/// The operation that produced a node. Payloads are node ids (Int32) and scalars only, so the node
/// array never allocates once its capacity is reached; backward is a switch over this enum.
enum Op {
    case constant
    case param
    case matmul(Int32, Int32, transA: Bool, transB: Bool)
    case linear(x: Int32, w: Int32, b: Int32)
    case add(Int32, Int32)
    case sub(Int32, Int32)
    case mul(Int32, Int32)
    case scale(Int32, Float)
    case addScalar(Int32)
    case exp(Int32)
    case log(Int32)
    case softplus(Int32)
    case sigmoid(Int32)
    case tanh(Int32)
    case square(Int32)
    case sqrt(Int32)
    case lgamma(Int32)
    case sliceCols(Int32, start: Int32)
    case sliceRows(Int32, start: Int32)
    case concatCols(Int32, Int32)
    case sumAll(Int32, Float)
    case rowSum(Int32, Float)
    case colSum(Int32, Float)
    case rowNormalize(Int32)
    case gradMask(Int32, mask: Int32)
    case sample(mean: Int32, std: Int32, eps: Int32)
    case poissonNLL(logRate: Int32, target: Int32, mask: Int32)
    case klGaussian(mq: Int32, vq: Int32, mp: Int32, vp: Int32)
    case logNormal(x: Int32, mean: Int32, variance: Int32)
    case gaussianNLL(mean: Int32, logVar: Int32, target: Int32)
    case squaredError(mean: Int32, target: Int32)
    case gammaNLL(logAlpha: Int32, logBeta: Int32, target: Int32)
    case zigNLL(alpha: Int32, beta: Int32, q: Int32, target: Int32, loc: Float)
    case clampMin(Int32, Float)
    case gru(GRUOpRecord)
}

/// Saved state of one fused GRU cell application.
struct GRUOpRecord {
    /// `x` is the B×I input, or the B×3H pre-computed projection when `projected` (then wih = bih = −1).
    var x, h, wih, bih, whh: Int32
    var clip: Float
    var projected: Bool
    /// B×H activated gates z, r, n and r⊙h, in the arena.
    var z, r, n, rh: UnsafeMutablePointer<Float>
}

struct Node {
    var op: Op
    var rows: Int
    var cols: Int
    var value: UnsafeMutablePointer<Float>
    /// nil when no gradient is needed for this node.
    var grad: UnsafeMutablePointer<Float>?
}

/// Reverse-mode autodiff tape. Record a step's computation through its op methods
/// (`matmul`, `linear`, `gruCell`, …), call `backward(_:)` on the scalar loss, then read
/// parameter gradients from the `ParameterStore`. Call `reset()` before the next step: node
/// metadata and the value/gradient arena are rewound, so after the first step a training step
/// performs no heap allocation.
///
/// Values returned by `value(_:)` / `grad(_:)` stay valid until `reset()`.
public final class Tape {
    /// The parameters this tape reads and whose gradients it accumulates.
    public let store: ParameterStore
    var nodes: [Node] = []
    let arena: FloatArena
    let scratch: FloatArena
    /// When false, no gradient storage is allocated and `backward` is unavailable (inference).
    public var gradEnabled = true
    /// This tape's own parameter-gradient buffer (store layout), or nil when it accumulates into `store.grads`.
    private let ownGradients: UnsafeMutableBufferPointer<Float>?

    /// A tape over `store`; `reserveNodes` / `arenaFloats` pre-size the storage.
    /// With `separateGradients` the tape accumulates parameter gradients into a buffer of its own
    /// (`parameterGradients`, same layout as `store.grads`) instead of the store's, so several tapes can
    /// run forward/backward over the same parameters at once (data-parallel shards) and be summed after.
    public init(store: ParameterStore, reserveNodes: Int = 4096, arenaFloats: Int = 1 << 18, separateGradients: Bool = false) {
        self.store = store
        nodes.reserveCapacity(reserveNodes)
        arena = FloatArena(initialCapacity: arenaFloats)
        scratch = FloatArena(initialCapacity: 1 << 14)
        if separateGradients {
            let g = UnsafeMutableBufferPointer<Float>.allocate(capacity: store.count)
            g.initialize(repeating: 0)
            ownGradients = g
        } else {
            ownGradients = nil
        }
    }

    deinit { ownGradients?.deallocate() }

    /// Where `backward` accumulates parameter gradients: the tape's own buffer or `store.grads`.
    public var parameterGradients: UnsafeMutableBufferPointer<Float> { ownGradients ?? store.grads }

    /// Sets the parameter gradients this tape accumulates into to 0.
    public func zeroParameterGradients() {
        if let g = ownGradients { g.update(repeating: 0) } else { store.zeroGrads() }
    }

    /// Forgets all recorded nodes and rewinds the arena (keeps capacity).
    public func reset() {
        nodes.removeAll(keepingCapacity: true)
        arena.rewind()
        resets &+= 1
    }

    /// Number of `reset()` calls so far (tells a mark from an earlier recording).
    private var resets = 0

    /// A point in the recording (see `rewind(to:)`).
    public struct Mark {
        fileprivate let nodes: Int
        fileprivate let arena: FloatArena.Mark
        fileprivate let resets: Int
    }

    /// The current end of the recording.
    public func mark() -> Mark { Mark(nodes: nodes.count, arena: arena.mark(), resets: resets) }

    /// Forgets the nodes recorded since `mark` (taken since the last `reset()`) and their storage;
    /// tensors recorded before it stay valid. Lets a pass reuse a shared prefix, e.g. the encoders of
    /// one batch across posterior samples. The forgotten nodes must not be read again, nor be
    /// inputs of a later `backward` through the prefix.
    public func rewind(to mark: Mark) {
        precondition(mark.resets == resets && mark.nodes <= nodes.count, "rewind(to:): the mark is from before a reset")
        nodes.removeSubrange(mark.nodes...)
        arena.rewind(to: mark.arena)
    }

    /// Number of recorded nodes.
    public var nodeCount: Int { nodes.count }
    /// Floats of arena storage reserved (grows only during the first steps).
    public var arenaReserved: Int { arena.reserved }

    // MARK: recording helpers

    @inline(__always)
    func record(_ op: Op, rows: Int, cols: Int, needsGrad: Bool) -> Tensor {
        let n = rows * cols
        let v = arena.alloc(n)
        let g: UnsafeMutablePointer<Float>? = (needsGrad && gradEnabled) ? arena.alloc(n) : nil
        nodes.append(Node(op: op, rows: rows, cols: cols, value: v, grad: g))
        return Tensor(id: Int32(nodes.count - 1), rows: rows, cols: cols)
    }

    @inline(__always) func needs(_ t: Tensor) -> Bool { nodes[Int(t.id)].grad != nil }
    @inline(__always) func ptr(_ t: Tensor) -> UnsafeMutablePointer<Float> { nodes[Int(t.id)].value }
    @inline(__always) func ptr(_ id: Int32) -> UnsafeMutablePointer<Float> { nodes[Int(id)].value }
    @inline(__always) func gptr(_ id: Int32) -> UnsafeMutablePointer<Float>? { nodes[Int(id)].grad }

    // MARK: leaves

    /// The parameter `p` as a tensor (no copy: reads the store's values, accumulates into its grads).
    public func param(_ p: Param) -> Tensor {
        let e = store.entries[p.index]
        let trainable = e.trainable && gradEnabled
        let grads = parameterGradients
        precondition(grads.count == store.count, "param: the store grew after this tape was made; make a new tape")
        nodes.append(Node(op: .param, rows: e.rows, cols: e.cols, value: store.values.baseAddress! + e.offset,
                          grad: trainable ? grads.baseAddress! + e.offset : nil))
        return Tensor(id: Int32(nodes.count - 1), rows: e.rows, cols: e.cols)
    }

    /// An uninitialised constant (no gradient); fill it through `value(_:)`.
    public func constant(rows: Int, cols: Int) -> Tensor {
        record(.constant, rows: rows, cols: cols, needsGrad: false)
    }

    /// A constant filled with `value`.
    public func constant(rows: Int, cols: Int, repeating value: Float) -> Tensor {
        let t = constant(rows: rows, cols: cols)
        ptr(t).update(repeating: value, count: rows * cols)
        return t
    }

    /// A constant copied from `values` (row-major, rows·cols elements).
    public func constant(rows: Int, cols: Int, copying values: UnsafePointer<Float>) -> Tensor {
        let t = constant(rows: rows, cols: cols)
        ptr(t).update(from: values, count: rows * cols)
        return t
    }

    /// A constant copied from an array (convenience for tests/setup; allocation-free otherwise).
    public func constant(rows: Int, cols: Int, _ values: [Float]) -> Tensor {
        precondition(values.count == rows * cols, "constant: \(values.count) values for a \(rows)×\(cols) tensor")
        return values.withUnsafeBufferPointer { constant(rows: rows, cols: cols, copying: $0.baseAddress!) }
    }

    /// Time step `t` of a batch-major B×T×N array (`data[b][t][n]`), as a B×N constant.
    public func timeStep(_ data: UnsafePointer<Float>, batch: Int, steps: Int, features: Int, t: Int) -> Tensor {
        precondition(t >= 0 && t < steps, "timeStep: t=\(t) outside 0..<\(steps)")
        let out = constant(rows: batch, cols: features)
        let o = ptr(out)
        for b in 0..<batch {
            (o + b * features).update(from: data + (b * steps + t) * features, count: features)
        }
        return out
    }

    /// A batch-major B×T×N array as one time-major (T·B)×N constant: rows t·B..<(t+1)·B are step t.
    /// Use with `sliceRows` (e.g. to project all encoder inputs with one GEMM).
    public func timeMajor(_ data: UnsafePointer<Float>, batch: Int, steps: Int, features: Int) -> Tensor {
        let out = constant(rows: steps * batch, cols: features)
        let o = ptr(out)
        for t in 0..<steps {
            for b in 0..<batch {
                (o + (t * batch + b) * features).update(from: data + (b * steps + t) * features, count: features)
            }
        }
        return out
    }

    // MARK: access

    /// Values of `t` (row-major), valid until `reset()`.
    public func value(_ t: Tensor) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: ptr(t), count: t.count)
    }

    /// The single value of a 1×1 tensor.
    public func scalar(_ t: Tensor) -> Float {
        precondition(t.count == 1, "scalar: tensor is \(t.rows)×\(t.cols), not 1×1")
        return ptr(t)[0]
    }

    /// Gradient of `t` after `backward`, or nil if `t` does not need one.
    public func grad(_ t: Tensor) -> UnsafeMutableBufferPointer<Float>? {
        guard let g = nodes[Int(t.id)].grad else { return nil }
        return UnsafeMutableBufferPointer(start: g, count: t.count)
    }

    /// Copy of a tensor's values as an array (for tests and outputs, allocates).
    public func array(_ t: Tensor) -> [Float] { Array(value(t)) }
}
