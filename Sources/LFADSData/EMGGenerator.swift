/// EMG-like synthetic data with truth: Lorenz latents (recipe C's dynamics) drive each muscle
/// through `softplus(z·W + b)` (rectified), low-pass filtered by a first-order filter with
/// time constant `filterBins`, scaled by `amplitude`; observations are Gamma-distributed
/// around that mean with shape `gammaShape` (coefficient of variation 1/√shape).
/// Truth (`*_truth`) is the noiseless mean (conversion_factor 1); data are float32.
public struct EMGConfig: Sendable, Equatable {
    public var seed: UInt64 = 0
    public var conditions = 20
    public var trialsPerCondition = 20
    public var bins = 100
    public var muscles = 12
    public var timePerBin = 0.02
    public var filterBins = 3.0
    public var amplitude = 1.0
    public var gammaShape = 4.0
    public var validFraction = 0.2
    public init() {}
    public var trials: Int { conditions * trialsPerCondition }
}

public enum EMGGenerator {
    /// Generates the dataset (deterministic in `config`).
    public static func generate(_ c: EMGConfig) throws -> LFADSDataset {
        try checkPositive(["conditions": c.conditions, "trials per condition": c.trialsPerCondition,
                           "bins": c.bins, "muscles": c.muscles])
        guard c.gammaShape > 0, c.filterBins >= 0, c.amplitude > 0 else {
            throw DataFileError(path: "synthetic generator", key: "emg", "gamma shape and amplitude must be > 0, filter ≥ 0")
        }
        var rng = SeededRandom(seed: c.seed)
        let n = c.muscles
        let weights = (0..<(n * 3)).map { _ in rng.uniform(-1.5, 1.5) }
        let bias = (0..<n).map { _ in rng.uniform(-1, 0) }
        var lc = LorenzConfig()
        lc.conditions = c.conditions; lc.bins = c.bins; lc.timePerBin = c.timePerBin
        let z = LorenzGenerator.latents(lc, rng: &rng)
        let decay = c.filterBins > 0 ? DetMath.exp(-1 / c.filterBins) : 0
        let rows = c.bins * n
        var mean = [Double](repeating: 0, count: c.conditions * rows)
        for cond in 0..<c.conditions {
            for k in 0..<n {
                var state = 0.0
                for t in 0..<c.bins {
                    let o = (cond * c.bins + t) * 3
                    let drive = z[o] * weights[k * 3] + z[o + 1] * weights[k * 3 + 1] + z[o + 2] * weights[k * 3 + 2] + bias[k]
                    let rect = drive > 20 ? drive : DetMath.log(1 + DetMath.exp(drive))
                    state = t == 0 ? rect : decay * state + (1 - decay) * rect
                    mean[cond * rows + t * n + k] = c.amplitude * state
                }
            }
        }
        var data = [Float](repeating: 0, count: c.trials * rows), truth = data
        var labels = [Int](repeating: 0, count: c.trials)
        for trial in 0..<c.trials {
            let cond = trial / c.trialsPerCondition
            labels[trial] = cond
            for i in 0..<rows {
                let m = max(mean[cond * rows + i], 1e-6)
                truth[trial * rows + i] = Float(m)
                data[trial * rows + i] = Float(max(rng.gamma(shape: c.gammaShape) * m / c.gammaShape, 1e-6))
            }
        }
        let (train, valid) = randomSplit(c.trials, validFraction: c.validFraction, rng: &rng)
        return assemble(counts: Array3D(trials: c.trials, time: c.bins, channels: n, values: data),
                        truth: Array3D(trials: c.trials, time: c.bins, channels: n, values: truth),
                        latents: nil, labels: labels, train: train, valid: valid, countsDType: .float32,
                        conversionFactor: 1, extras: ["n_init_conds": scalar(c.conditions)])
    }
}

extension SeededRandom {
    /// Gamma(shape, 1) sample (Marsaglia–Tsang; shape < 1 by the U^{1/shape} boost).
    public mutating func gamma(shape: Double) -> Double {
        if shape < 1 { return gamma(shape: shape + 1) * DetMath.exp(DetMath.log(max(uniform(), 1e-300)) / shape) }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            let x = normal()
            let v0 = 1 + c * x
            guard v0 > 0 else { continue }
            let v = v0 * v0 * v0, u = uniform()
            if u < 1 - 0.0331 * x * x * x * x || DetMath.log(max(u, 1e-300)) < 0.5 * x * x + d * (1 - v + DetMath.log(v)) {
                return d * v
            }
        }
    }
}
