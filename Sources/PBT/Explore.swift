#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HyperparameterSpec {
    /// One multiplicative scale factor for perturbation factor `perturbation`.
    ///
    /// Linear: `1 ± U(0.002p, p)` (pbt_opt's `1 + 2p·U(−½, ½)` with |U| ≥ 0.001), so scale ∈ [1−p, 1+p].
    /// Log: `exp(±U(ln(1+0.002p), ln(1+p)))`, symmetric in log space (×s and ÷s equally likely).
    public func perturbationScale(using rng: inout PBTRandom) -> Double {
        let p = perturbation
        let sign: Double = rng.bernoulli(0.5) ? 1 : -1
        switch perturbationSpace {
        case .linear:
            return 1 + sign * rng.uniform(0.002 * p, p)
        case .log:
            return exp(sign * rng.uniform(log1p(0.002 * p), log1p(p)))
        }
    }

    /// Multiplicative perturbation of `x`: redraws the scale until the value lies in
    /// `exploreBounds` (at most `maxTries` draws), then clips; finally snaps to `values`.
    public func perturb(_ x: Double, maxTries: Int = 99, using rng: inout PBTRandom) -> Double {
        let bounds = exploreBounds
        var v = x
        for _ in 0..<Swift.max(1, maxTries) {
            v = x * perturbationScale(using: &rng)
            if bounds.contains(v) { return snap(v) }
        }
        return snap(Swift.min(Swift.max(v, bounds.lowerBound), bounds.upperBound))
    }

    /// Explores one value: unchanged if not explorable; with probability `resampleProbability`
    /// a fresh draw (`resample`), otherwise `perturb`.
    public func explore(_ x: Double, resampleProbability: Double, maxTries: Int = 99,
                        using rng: inout PBTRandom) -> Double {
        guard explorable else { return x }
        if resampleProbability > 0 && rng.bernoulli(resampleProbability) {
            return resample(using: &rng)
        }
        return perturb(x, maxTries: maxTries, using: &rng)
    }
}

extension SearchSpace {
    /// Explores every HP of `hps` in search-space order; names not in the space are kept as is.
    public func explore(_ hps: Hyperparameters, resampleProbability: Double = 0, maxTries: Int = 99,
                        using rng: inout PBTRandom) -> Hyperparameters {
        var out = hps
        for h in hyperparameters {
            guard let x = hps[h.name] else { continue }
            out[h.name] = h.explore(x, resampleProbability: resampleProbability,
                                    maxTries: maxTries, using: &rng)
        }
        return out
    }
}
