/// Calcium-imaging-like synthetic data with truth: Lorenz-driven Poisson spikes (as recipe C,
/// `ln rate = z·W + logRateBias`) → fluorescence `F_t = γ·F_{t−1} + s_t + σ·ε` with
/// γ = exp(−1/decayBins) → sampled only every `stride` bins per neuron, neuron k at bins
/// t ≡ k mod stride (staggered scanning) → deconvolved events
/// `ê_t = max(F_t − γ^stride·F_{t−stride}, 0)`, zeroed below `threshold` (a simple
/// non-negative deconvolution of our own). Data = events with NaN where a neuron is not sampled;
/// truth = rates in counts per bin (conversion_factor 1).
public struct CalciumConfig: Sendable, Equatable {
    public var seed: UInt64 = 0
    public var conditions = 20
    public var trialsPerCondition = 20
    public var bins = 100
    public var neurons = 30
    public var timePerBin = 0.02
    public var logRateBias = -1.0
    public var decayBins = 8.0
    public var noise = 0.15
    public var stride = 2
    public var threshold = 0.4
    public var validFraction = 0.2
    public init() {}
    public var trials: Int { conditions * trialsPerCondition }
}

public enum CalciumGenerator {
    /// Generates the dataset (deterministic in `config`).
    public static func generate(_ c: CalciumConfig) throws -> LFADSDataset {
        try checkPositive(["conditions": c.conditions, "trials per condition": c.trialsPerCondition,
                           "bins": c.bins, "neurons": c.neurons, "stride": c.stride])
        guard c.decayBins > 0, c.noise >= 0, c.threshold >= 0 else {
            throw DataFileError(path: "synthetic generator", key: "calcium", "decay must be > 0, noise and threshold ≥ 0")
        }
        var rng = SeededRandom(seed: c.seed)
        let n = c.neurons
        let weights = (0..<(n * 3)).map { _ in rng.uniform(-1, 1) }
        var lc = LorenzConfig()
        lc.conditions = c.conditions; lc.bins = c.bins; lc.timePerBin = c.timePerBin
        let z = LorenzGenerator.latents(lc, rng: &rng)
        let rows = c.bins * n
        var rates = [Double](repeating: 0, count: c.conditions * rows)
        for cond in 0..<c.conditions {
            for t in 0..<c.bins {
                let o = (cond * c.bins + t) * 3
                for k in 0..<n {
                    let lr = z[o] * weights[k * 3] + z[o + 1] * weights[k * 3 + 1] + z[o + 2] * weights[k * 3 + 2] + c.logRateBias
                    rates[cond * rows + t * n + k] = DetMath.exp(lr)
                }
            }
        }
        let gamma = DetMath.exp(-1 / c.decayBins)
        let gammaStride = DetMath.exp(-Double(c.stride) / c.decayBins)
        var data = [Float](repeating: .nan, count: c.trials * rows), truth = data
        var labels = [Int](repeating: 0, count: c.trials)
        var fluor = [Double](repeating: 0, count: c.bins)
        for trial in 0..<c.trials {
            let cond = trial / c.trialsPerCondition
            labels[trial] = cond
            for k in 0..<n {
                var f = 0.0
                for t in 0..<c.bins {
                    let r = rates[cond * rows + t * n + k]
                    truth[trial * rows + t * n + k] = Float(r)
                    f = gamma * f + Double(rng.poisson(r))
                    fluor[t] = f + c.noise * rng.normal()
                }
                for t in stride(from: k % c.stride, to: c.bins, by: c.stride) {
                    let previous = t >= c.stride ? fluor[t - c.stride] : 0
                    let e = max(fluor[t] - gammaStride * previous, 0)
                    data[trial * rows + t * n + k] = Float(e < c.threshold ? 0 : e)
                }
            }
        }
        let (train, valid) = randomSplit(c.trials, validFraction: c.validFraction, rng: &rng)
        return assemble(counts: Array3D(trials: c.trials, time: c.bins, channels: n, values: data),
                        truth: Array3D(trials: c.trials, time: c.bins, channels: n, values: truth),
                        latents: nil, labels: labels, train: train, valid: valid, countsDType: .float32,
                        conversionFactor: 1, extras: ["n_init_conds": scalar(c.conditions),
                                                      "sampling_stride": scalar(c.stride)])
    }
}
