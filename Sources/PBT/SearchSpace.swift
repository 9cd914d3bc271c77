#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hyperparameter values of one worker, by name.
public typealias Hyperparameters = [String: Double]

/// How a hyperparameter's initial value is drawn for each worker.
public enum InitMode: Codable, Equatable, Sendable {
    /// The same value for every worker.
    case fixed(Double)
    /// U(min, max).
    case uniform
    /// 10^U(log10 min, log10 max).
    case logUniform
    /// Evenly spaced over the population in worker order: min … max (linear or log spacing).
    case grid(log: Bool)
    /// Uniform choice from `values`.
    case choice
}

/// Space in which a multiplicative perturbation is drawn.
public enum PerturbationSpace: String, Codable, Equatable, Sendable {
    /// scale = 1 ± U(0.002p, p)  (pbt_opt / lfads-torch).
    case linear
    /// scale = exp(±U(ln(1+0.002p), ln(1+p)))  (autolfads-tf2, unbiased in log space).
    case log
}

/// One searched hyperparameter.
public struct HyperparameterSpec: Codable, Equatable, Sendable {
    /// Name used in configs and decision logs (e.g. "lr", "kl_co_scale").
    public var name: String
    /// Lower bound of the range (also the grid / uniform start).
    public var min: Double
    /// Upper bound of the range.
    public var max: Double
    /// Allowed values, if the HP is list-valued; explored values snap to the nearest.
    public var values: [Double]?
    /// How the initial value is drawn.
    public var initMode: InitMode
    /// Whether explore changes it.
    public var explorable: Bool
    /// Perturbation factor p (scale ∈ [1−p, 1+p] in linear space).
    public var perturbation: Double
    /// Linear or log perturbation.
    public var perturbationSpace: PerturbationSpace
    /// Keep explored values in [min, max]; otherwise only in [0, ∞).
    public var limit: Bool

    public init(name: String, min: Double, max: Double, values: [Double]? = nil,
                initMode: InitMode, explorable: Bool = true, perturbation: Double = 0.3,
                perturbationSpace: PerturbationSpace = .linear, limit: Bool = true) {
        self.name = name; self.min = min; self.max = max; self.values = values
        self.initMode = initMode; self.explorable = explorable; self.perturbation = perturbation
        self.perturbationSpace = perturbationSpace; self.limit = limit
    }

    /// Bounds an explored value must stay in: [min, max] if limited, else [0, ∞).
    public var exploreBounds: ClosedRange<Double> {
        limit ? min...max : 0...Double.infinity
    }

    /// Checks the spec; returns a one-line problem description or nil.
    public func problem() -> String? {
        if name.isEmpty { return "hyperparameter with empty name: give each search-space entry a name" }
        if !min.isFinite || !max.isFinite || min > max {
            return "hyperparameter \(name): range [\(min), \(max)] is invalid; need finite min ≤ max"
        }
        if case .logUniform = initMode, min <= 0 {
            return "hyperparameter \(name): logUniform needs min > 0 (got \(min))"
        }
        if case .grid(true) = initMode, min <= 0 {
            return "hyperparameter \(name): log grid needs min > 0 (got \(min))"
        }
        if case .choice = initMode, (values ?? []).isEmpty {
            return "hyperparameter \(name): choice init needs a non-empty values list"
        }
        if let v = values, v.contains(where: { !$0.isFinite }) {
            return "hyperparameter \(name): values must be finite numbers"
        }
        if !(perturbation >= 0) || !perturbation.isFinite {
            return "hyperparameter \(name): perturbation factor must be ≥ 0 (got \(perturbation))"
        }
        return nil
    }

    /// Snaps to the nearest allowed list value (ties: the smaller); identity when not list-valued.
    public func snap(_ x: Double) -> Double {
        guard let v = values, !v.isEmpty else { return x }
        var best = v[0]
        for c in v.dropFirst() where abs(c - x) < abs(best - x) || (abs(c - x) == abs(best - x) && c < best) {
            best = c
        }
        return best
    }

    /// A fresh draw from the init distribution for resampling.
    /// `fixed` and `grid` (no per-draw distribution) resample U(min, max), or log-uniform for log grids.
    public func resample(using rng: inout PBTRandom) -> Double {
        switch initMode {
        case .choice:
            let v = values ?? [min]
            return v[rng.index(v.count)]
        case .logUniform, .grid(log: true):
            return snap(pow(10, rng.uniform(log10(min), log10(max))))
        case .uniform, .fixed, .grid(log: false):
            return snap(rng.uniform(min, max))
        }
    }
}

/// The searched hyperparameters, in a fixed order.
public struct SearchSpace: Codable, Equatable, Sendable {
    public var hyperparameters: [HyperparameterSpec]

    public init(_ hyperparameters: [HyperparameterSpec]) {
        self.hyperparameters = hyperparameters
    }

    /// The spec with this name, if any.
    public subscript(name: String) -> HyperparameterSpec? {
        hyperparameters.first { $0.name == name }
    }

    /// Throws `PBTError.invalidSearchSpace` naming the first problem.
    public func validate() throws {
        var seen = Set<String>()
        for h in hyperparameters {
            if let p = h.problem() { throw PBTError.invalidSearchSpace(p) }
            if !seen.insert(h.name).inserted {
                throw PBTError.invalidSearchSpace("hyperparameter \(h.name) appears twice: keep one entry per name")
            }
        }
    }
}
