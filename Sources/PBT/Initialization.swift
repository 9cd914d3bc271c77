#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SearchSpace {
    /// Initial hyperparameters for `workers` workers (index = worker id), drawn with `rng`.
    ///
    /// `grid` places worker i at min + i·(max−min)/(N−1) (in log10 space for log grids;
    /// a single worker gets min). Draws happen HP by HP, worker by worker, so the result
    /// depends only on the seed and the space.
    public func initialPopulation(workers: Int, using rng: inout PBTRandom) throws -> [Hyperparameters] {
        try validate()
        guard workers > 0 else {
            throw PBTError.invalidPopulation("needs at least 1 worker (got \(workers))")
        }
        var pop = Array(repeating: Hyperparameters(), count: workers)
        for h in hyperparameters {
            for w in 0..<workers {
                pop[w][h.name] = h.initialValue(worker: w, of: workers, using: &rng)
            }
        }
        return pop
    }
}

extension HyperparameterSpec {
    /// The initial value for worker `w` of `n` (snapped to `values` when list-valued).
    public func initialValue(worker w: Int, of n: Int, using rng: inout PBTRandom) -> Double {
        let t = n > 1 ? Double(w) / Double(n - 1) : 0
        switch initMode {
        case .fixed(let v):
            return snap(v)
        case .uniform:
            return snap(rng.uniform(min, max))
        case .logUniform:
            return snap(pow(10, rng.uniform(log10(min), log10(max))))
        case .grid(log: false):
            return snap(w == n - 1 && n > 1 ? max : min + t * (max - min))
        case .grid(log: true):
            let (a, b) = (log10(min), log10(max))
            return snap(w == n - 1 && n > 1 ? max : pow(10, a + t * (b - a)))
        case .choice:
            let v = values ?? [min]
            return v[rng.index(v.count)]
        }
    }
}
