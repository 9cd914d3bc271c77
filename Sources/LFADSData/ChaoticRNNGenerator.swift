/// Chaotic RNN with input pulses, after the original LFADS paper's synthetic benchmark (Sussillo et al. 2016).
///
/// N units, W ~ N(0,1)/√N, gain g, τ, dt; `x_t = (1−dt/τ)x_{t−1} + (dt/τ)·g·W·tanh(x_{t−1})`,
/// plus `(dt/τ)·B·inputMagnitude` (B ~ N(0,1) per unit, fixed) at one random step in
/// [T/4, 3T/4) per trial. Each condition has its own x0 ~ N(0,1); its replicates differ in
/// pulse time and Poisson noise. Rates tanh(x) are min–max normalised per trial and unit to
/// [0, 1]; counts ~ Poisson(rate · maxRateHz · dt). Replicate i is valid if
/// (i % nrep) + 1 > 0.8·nrep. The file stores int32 counts, truth in [0, 1] with
/// `conversion_factor` = 1/(maxRateHz·dt) (truth / factor = counts per bin), inds, the pulse
/// trains `input_train`/`input_valid` (trials × T × 1), `condition_labels_*` and `dt`.
public struct ChaoticRNNConfig: Sendable, Equatable {
    public var seed: UInt64 = 0
    /// Network units, all of them observed as neurons.
    public var neurons = 50
    public var conditions = 100
    public var trialsPerCondition = 10
    public var bins = 100
    public var gain = 1.5
    public var tau = 0.025
    public var dt = 0.01
    public var inputMagnitude = 20.0
    public var maxRateHz = 30.0
    public init() {}
    public var trials: Int { conditions * trialsPerCondition }
}

public enum ChaoticRNNGenerator {
    /// Generates the dataset (deterministic in `config`).
    public static func generate(_ c: ChaoticRNNConfig) throws -> LFADSDataset {
        try checkPositive(["neurons": c.neurons, "conditions": c.conditions,
                           "trials per condition": c.trialsPerCondition, "bins": c.bins])
        guard c.bins >= 4 else { throw DataFileError(path: "synthetic generator", key: "bins", "must be at least 4 for the input pulse window") }
        var rng = SeededRandom(seed: c.seed)
        let n = c.neurons, T = c.bins
        let w = (0..<(n * n)).map { _ in rng.normal() / Double(n).squareRoot() }
        let bIn = (0..<n).map { _ in rng.normal() }
        let alpha = c.dt / c.tau
        let total = c.trials
        let rowsPerTrial = T * n
        var counts = [Float](repeating: 0, count: total * rowsPerTrial)
        var truth = counts
        var pulses = [Float](repeating: 0, count: total * T)
        var labels = [Int](repeating: 0, count: total)
        var x = [Double](repeating: 0, count: n), r = x, next = x
        var rates = [Double](repeating: 0, count: rowsPerTrial)
        for cond in 0..<c.conditions {
            let x0 = (0..<n).map { _ in rng.normal() }
            for rep in 0..<c.trialsPerCondition {
                let trial = cond * c.trialsPerCondition + rep
                labels[trial] = cond
                let pulseAt = T / 4 + rng.int(below: max(1, 3 * T / 4 - T / 4))
                pulses[trial * T + pulseAt] = 1
                x = x0
                for t in 0..<T {
                    if t > 0 {
                        step(x, into: &next, scratch: &r, weights: w, alpha: alpha, gain: c.gain)
                        if t == pulseAt { for i in 0..<n { next[i] += alpha * bIn[i] * c.inputMagnitude } }
                        swap(&x, &next)
                    }
                    for i in 0..<n { rates[t * n + i] = DetMath.tanh(x[i]) }
                }
                for i in 0..<n {   // min–max normalise per unit within the trial
                    var lo = Double.infinity, hi = -Double.infinity
                    for t in 0..<T { lo = min(lo, rates[t * n + i]); hi = max(hi, rates[t * n + i]) }
                    for t in 0..<T { rates[t * n + i] = hi > lo ? (rates[t * n + i] - lo) / (hi - lo) : 0 }
                }
                let scale = c.maxRateHz * c.dt
                for k in 0..<rowsPerTrial {
                    let lam = rates[k] * scale
                    truth[trial * rowsPerTrial + k] = Float(lam)
                    counts[trial * rowsPerTrial + k] = Float(rng.poisson(lam))
                }
            }
        }
        var train: [Int] = [], valid: [Int] = []
        for trial in 0..<total {
            let i = trial % c.trialsPerCondition
            if Double(i % c.trialsPerCondition + 1) > 0.8 * Double(c.trialsPerCondition) { valid.append(trial) } else { train.append(trial) }
        }
        guard !train.isEmpty, !valid.isEmpty else {
            throw DataFileError(path: "synthetic generator", key: "trials per condition",
                                "\(c.trialsPerCondition) gives an empty train or valid split; use at least 2")
        }
        return assemble(counts: Array3D(trials: total, time: T, channels: n, values: counts),
                        truth: Array3D(trials: total, time: T, channels: n, values: truth),
                        latents: nil, labels: labels, train: train, valid: valid, countsDType: .int32,
                        conversionFactor: 1 / (c.maxRateHz * c.dt),
                        extras: ["dt": HDF5Array(shape: [], dtype: .float64, values: [c.dt])],
                        perTrialExtras: ["input": Array3D(trials: total, time: T, channels: 1, values: pulses)])
    }

    /// One input-free step of the network: `next = (1−α)·x + α·g·W·tanh(x)` (W row-major n × n);
    /// `scratch` receives tanh(x). Shared with the NLB-style NWB generator.
    static func step(_ x: [Double], into next: inout [Double], scratch r: inout [Double], weights w: [Double],
                     alpha: Double, gain: Double) {
        let n = x.count
        for i in 0..<n { r[i] = DetMath.tanh(x[i]) }
        for i in 0..<n {
            var acc = 0.0
            for j in 0..<n { acc += w[i * n + j] * r[j] }
            next[i] = (1 - alpha) * x[i] + alpha * gain * acc
        }
    }
}
