/// Multi-session Lorenz benchmark for stitching: every session observes the same Lorenz latent
/// paths (same conditions, from `base.seed`) through its own neurons — its own count, random
/// readout matrix W_s ~ U(−1, 1) and Poisson noise, and its own trials per condition and
/// train/valid split. Each dataset is a `LorenzGenerator` file (truth, latents, condition labels).
public enum LorenzSessionsGenerator {
    /// One dataset per entry of `neurons` (and `trialsPerCondition`, which must have the same
    /// length or be empty = `base.trialsPerCondition` everywhere). Deterministic in its inputs.
    public static func generate(_ base: LorenzConfig, neurons: [Int], trialsPerCondition: [Int] = []) throws -> [LFADSDataset] {
        guard !neurons.isEmpty, trialsPerCondition.isEmpty || trialsPerCondition.count == neurons.count else {
            throw DataFileError(path: "synthetic generator", key: "sessions",
                                "give one neuron count per session (and as many trials-per-condition values, or none)")
        }
        try checkPositive(["conditions": base.conditions, "bins": base.bins, "substeps": base.substeps])
        var rng = SeededRandom(seed: base.seed)
        let z = LorenzGenerator.latents(base, rng: &rng)
        return try neurons.enumerated().map { s, n in
            var c = base
            c.neurons = n
            c.trialsPerCondition = trialsPerCondition.isEmpty ? base.trialsPerCondition : trialsPerCondition[s]
            try checkPositive(["neurons": n, "trials per condition": c.trialsPerCondition])
            var r = SeededRandom(seed: base.seed &+ 0x9E37_79B9 &* UInt64(s + 1))
            let weights = (0..<(n * 3)).map { _ in r.uniform(-1, 1) }
            return LorenzGenerator.sample(c, latents: z, weights: weights, rng: &r)
        }
    }
}
