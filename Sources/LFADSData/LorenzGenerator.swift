/// Lorenz benchmark, as in the LFADS tutorials' Lorenz dataset (3 latents driving Poisson neurons).
///
/// Standard Lorenz (σ 10, ρ 28, β 8/3), `timePerBin` = 0.02 time units per bin integrated with
/// RK4 substeps in Double. Each condition starts from a random point, burnt in onto the
/// attractor; its trials share the latent path and differ in Poisson noise. Latents are
/// z-scored per dimension over the dataset; `ln rate_Hz = z·W + logRateBias` with W ~ U(−1, 1)
/// (neurons × 3) and bias 0 by default (mean ≈ 0.017 counts per bin, recipe ≈ 0.0183);
/// counts ~ Poisson(rate_Hz · binSeconds). The file stores counts as float32, truth in Hz
/// with `conversion_factor` = 1 / binSeconds (so truth / factor = counts per bin), latents,
/// inds (trial = condition · trialsPerCondition + replicate) and condition labels.
public struct LorenzConfig: Sendable, Equatable {
    public var seed: UInt64 = 0
    public var conditions = 20
    public var trialsPerCondition = 40
    public var bins = 100
    public var neurons = 60
    public var binSeconds = 0.01
    public var timePerBin = 0.02
    public var substeps = 4
    public var burnInBins = 500
    public var logRateBias = 0.0
    public var validFraction = 0.2
    public init() {}
    public var trials: Int { conditions * trialsPerCondition }
}

public enum LorenzGenerator {
    /// Generates the dataset (deterministic in `config`).
    public static func generate(_ c: LorenzConfig) throws -> LFADSDataset {
        try checkPositive(["conditions": c.conditions, "trials per condition": c.trialsPerCondition,
                           "bins": c.bins, "neurons": c.neurons, "substeps": c.substeps])
        var rng = SeededRandom(seed: c.seed)
        let weights = (0..<(c.neurons * 3)).map { _ in rng.uniform(-1, 1) }

        let z = latents(c, rng: &rng)
        return sample(c, latents: z, weights: weights, rng: &rng)
    }

    /// Rates `exp(z·W + bias)·binSeconds` from latent paths `z` (conditions × bins × 3) and
    /// `weights` (neurons × 3), Poisson trials, a random train/valid split; draws from `rng`.
    static func sample(_ c: LorenzConfig, latents z: [Double], weights: [Double], rng: inout SeededRandom) -> LFADSDataset {
        // Rates (counts per bin) per condition, then Poisson trials.
        let rowsPerCond = c.bins * c.neurons
        var rates = [Double](repeating: 0, count: c.conditions * rowsPerCond)
        for cond in 0..<c.conditions {
            for t in 0..<c.bins {
                let zo = (cond * c.bins + t) * 3
                for n in 0..<c.neurons {
                    let w = n * 3
                    let logRate = z[zo] * weights[w] + z[zo + 1] * weights[w + 1] + z[zo + 2] * weights[w + 2] + c.logRateBias
                    rates[cond * rowsPerCond + t * c.neurons + n] = DetMath.exp(logRate) * c.binSeconds
                }
            }
        }
        let expNeg = rates.map { DetMath.exp(-$0) }
        let total = c.trials
        var counts = [Float](repeating: 0, count: total * rowsPerCond)
        var truth = counts, latents = [Float](repeating: 0, count: total * c.bins * 3)
        var labels = [Int](repeating: 0, count: total)
        for trial in 0..<total {
            let cond = trial / c.trialsPerCondition
            labels[trial] = cond
            for i in 0..<rowsPerCond {
                let r = rates[cond * rowsPerCond + i]
                truth[trial * rowsPerCond + i] = Float(r)
                counts[trial * rowsPerCond + i] = Float(r <= 30 ? rng.poissonSmall(r, expNeg: expNeg[cond * rowsPerCond + i]) : rng.poisson(r))
            }
            for i in 0..<(c.bins * 3) { latents[trial * c.bins * 3 + i] = Float(z[cond * c.bins * 3 + i]) }
        }
        let all = Array3D(trials: total, time: c.bins, channels: c.neurons, values: counts)
        let (train, valid) = randomSplit(total, validFraction: c.validFraction, rng: &rng)
        return assemble(counts: all,
                        truth: Array3D(trials: total, time: c.bins, channels: c.neurons, values: truth),
                        latents: Array3D(trials: total, time: c.bins, channels: 3, values: latents),
                        labels: labels, train: train, valid: valid, countsDType: .float32,
                        conversionFactor: 1 / c.binSeconds,
                        extras: ["n_init_conds": scalar(c.conditions), "n_trials_per_init_cond": scalar(c.trialsPerCondition),
                                 "dt": HDF5Array(shape: [], dtype: .float64, values: [c.binSeconds])])
    }

    /// Z-scored latent paths per condition (conditions × bins × 3), drawn from `rng`.
    static func latents(_ c: LorenzConfig, rng: inout SeededRandom) -> [Double] {
        let h = c.timePerBin / Double(c.substeps)
        var raw = [Double](repeating: 0, count: c.conditions * c.bins * 3)
        for cond in 0..<c.conditions {
            var s = (rng.normal() * 5, rng.normal() * 5, 25 + rng.normal() * 5)
            for _ in 0..<(c.burnInBins * c.substeps) { s = rk4(s, h) }
            for t in 0..<c.bins {
                let o = (cond * c.bins + t) * 3
                raw[o] = s.0; raw[o + 1] = s.1; raw[o + 2] = s.2
                for _ in 0..<c.substeps { s = rk4(s, h) }
            }
        }
        return zScorePerColumn(raw, columns: 3)
    }

    private static func rk4(_ s: (Double, Double, Double), _ h: Double) -> (Double, Double, Double) {
        func f(_ v: (Double, Double, Double)) -> (Double, Double, Double) {
            (10 * (v.1 - v.0), v.0 * (28 - v.2) - v.1, v.0 * v.1 - 8.0 / 3.0 * v.2)
        }
        let k1 = f(s)
        let k2 = f((s.0 + h / 2 * k1.0, s.1 + h / 2 * k1.1, s.2 + h / 2 * k1.2))
        let k3 = f((s.0 + h / 2 * k2.0, s.1 + h / 2 * k2.1, s.2 + h / 2 * k2.2))
        let k4 = f((s.0 + h * k3.0, s.1 + h * k3.1, s.2 + h * k3.2))
        return (s.0 + h / 6 * (k1.0 + 2 * k2.0 + 2 * k3.0 + k4.0),
                s.1 + h / 6 * (k1.1 + 2 * k2.1 + 2 * k3.1 + k4.1),
                s.2 + h / 6 * (k1.2 + 2 * k2.2 + 2 * k3.2 + k4.2))
    }

    /// Subtracts each column's mean and divides by its (population) standard deviation.
    static func zScorePerColumn(_ x: [Double], columns: Int) -> [Double] {
        let rows = x.count / columns
        var out = x
        for j in 0..<columns {
            var mean = 0.0
            for r in 0..<rows { mean += x[r * columns + j] }
            mean /= Double(rows)
            var v = 0.0
            for r in 0..<rows { let d = x[r * columns + j] - mean; v += d * d }
            let sd = (v / Double(rows)).squareRoot()
            for r in 0..<rows { out[r * columns + j] = sd > 0 ? (x[r * columns + j] - mean) / sd : 0 }
        }
        return out
    }
}

// MARK: - shared by the generators

func checkPositive(_ values: [String: Int]) throws {
    for (name, v) in values.sorted(by: { $0.key < $1.key }) where v <= 0 {
        throw DataFileError(path: "synthetic generator", key: name, "must be positive, got \(v)")
    }
}

func scalar(_ v: Int) -> HDF5Array { HDF5Array(shape: [], dtype: .int64, values: [Double(v)]) }

/// Random split: the first round(validFraction · n) entries of a permutation are valid;
/// both index lists are returned sorted.
func randomSplit(_ n: Int, validFraction: Double, rng: inout SeededRandom) -> (train: [Int], valid: [Int]) {
    let perm = rng.permutation(n)
    let nValid = min(n - 1, max(1, Int((validFraction * Double(n)).rounded())))
    return (Array(perm[nValid...]).sorted(), Array(perm[..<nValid]).sorted())
}

/// Builds an original-convention dataset from all-trial arrays and split indices.
func assemble(counts: Array3D, truth: Array3D, latents: Array3D?, labels: [Int], train: [Int], valid: [Int],
              countsDType: HDF5DType, conversionFactor: Double, extras: [String: HDF5Array],
              perTrialExtras: [String: Array3D] = [:]) -> LFADSDataset {
    var splits: [LFADSSplitName: LFADSSplit] = [:]
    var extras = extras
    for (name, idx) in [(LFADSSplitName.train, train), (.valid, valid)] {
        let c = counts.selecting(trials: idx)
        splits[name] = LFADSSplit(encod: c, recon: c, truth: truth.selecting(trials: idx),
                                  latents: latents?.selecting(trials: idx), inds: idx)
        extras["condition_labels_\(name.rawValue)"] = HDF5Array(shape: [idx.count], dtype: .int64,
                                                                 values: idx.map { Double(labels[$0]) })
        for (key, a) in perTrialExtras {
            let sel = a.selecting(trials: idx)
            extras["\(key)_\(name.rawValue)"] = HDF5Array(shape: sel.shape, dtype: .float32, values: sel.values.map(Double.init))
        }
    }
    return LFADSDataset(convention: .original, splits: splits, countsDType: countsDType,
                        conversionFactor: conversionFactor, extras: extras)
}
