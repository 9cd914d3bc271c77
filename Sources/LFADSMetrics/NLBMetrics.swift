#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Neural Latents Benchmark ('21) metrics, computed the way nlb_tools 0.0.4 computes them
/// (`nlb_tools.evaluation`), plus the benchmark's "Smoothing" baseline.
///
/// Every tensor is a `[Double]` flattened row-major as trials × time × channels (channel fastest).
/// Spike counts that are NaN (missing data) are skipped where nlb_tools skips them.
public enum NLBMetrics {
    /// Zero rates are replaced by this value before taking logs (as nlb_tools does).
    public static let rateFloor = 1e-9
    /// The ridge penalties nlb_tools searches over: `np.logspace(-4, 0, 9)`.
    public static let ridgeAlphas: [Double] = (0..<9).map { pow(10, -4 + 0.5 * Double($0)) }
    /// Number of contiguous cross-validation folds (scikit-learn's default `KFold(5)`).
    public static let cvFolds = 5

    // MARK: - Bits per spike

    /// nlb_tools `bits_per_spike`: (NLL_null − NLL_model) / (Σ spikes · ln 2).
    ///
    /// The null model predicts each channel's mean count over every trial and bin of `spikes`
    /// (NaNs ignored). Elements whose count is NaN are skipped; zero rates become `rateFloor`.
    /// Use it for co-bps (held-out channels) and fp-bps (forward bins, all channels).
    /// Throws on shape mismatch, NaN or negative rates at observed counts, or no spikes at all.
    public static func bitsPerSpike(rates: [Double], spikes: [Double], channels: Int) throws -> Double {
        try require(channels > 0, "bits/spike: channels must be positive (got \(channels))")
        try require(rates.count == spikes.count,
                    "bits/spike: rates has \(rates.count) elements but spikes has \(spikes.count); pass arrays of the same shape")
        try require(!spikes.isEmpty && spikes.count % channels == 0,
                    "bits/spike: \(spikes.count) elements is not a positive multiple of channels=\(channels); pass the last-axis size")
        var sum = [Double](repeating: 0, count: channels)
        var n = [Int](repeating: 0, count: channels)
        for i in spikes.indices where !spikes[i].isNaN {
            sum[i % channels] += spikes[i]; n[i % channels] += 1
        }
        let null = (0..<channels).map { j -> Double in
            let m = n[j] > 0 ? sum[j] / Double(n[j]) : .nan
            return m == 0 ? rateFloor : m
        }
        var gain = 0.0, total = 0.0
        for i in spikes.indices {
            let y = spikes[i]
            if y.isNaN { continue }
            let r = rates[i]
            try require(!r.isNaN, "bits/spike: rate at flat index \(i) (channel \(i % channels)) is NaN where a count is observed; predict every observed bin")
            try require(r >= 0, "bits/spike: rate at flat index \(i) (channel \(i % channels)) is negative (\(r)); rates must be ≥ 0")
            let lam = r == 0 ? rateFloor : r
            let lamNull = null[i % channels]
            gain += (lamNull - y * log(lamNull)) - (lam - y * log(lam))
            total += y
        }
        try require(total > 0, "bits/spike: the evaluated spikes contain no spikes; bits per spike is undefined")
        return gain / total / M_LN2
    }

    // MARK: - R² (scikit-learn r2_score)

    /// scikit-learn `r2_score(truth, predicted)` with `multioutput="uniform_average"`:
    /// the mean over output columns of 1 − SS_res/SS_tot, where a constant column scores 1 if
    /// predicted exactly and 0 otherwise (`force_finite=True`). Fewer than two rows gives NaN
    /// (as scikit-learn does). Throws on NaN input or a shape mismatch.
    public static func r2Score(truth: [Double], predicted: [Double], outputs: Int) throws -> Double {
        try require(outputs > 0, "r2 score: outputs must be positive (got \(outputs))")
        try require(truth.count == predicted.count,
                    "r2 score: truth has \(truth.count) elements but predicted has \(predicted.count); pass arrays of the same shape")
        try require(truth.count % outputs == 0,
                    "r2 score: \(truth.count) elements is not a multiple of outputs=\(outputs)")
        try require(!truth.contains { $0.isNaN } && !predicted.contains { $0.isNaN },
                    "r2 score: input contains NaN (scikit-learn rejects it); drop missing rows first")
        let rows = truth.count / outputs
        if rows < 2 { return .nan }
        var mean = [Double](repeating: 0, count: outputs)
        for i in truth.indices { mean[i % outputs] += truth[i] }
        for j in 0..<outputs { mean[j] /= Double(rows) }
        var num = [Double](repeating: 0, count: outputs), den = num
        for i in truth.indices {
            let j = i % outputs
            let e = truth[i] - predicted[i], c = truth[i] - mean[j]
            num[j] += e * e; den[j] += c * c
        }
        var score = 0.0
        for j in 0..<outputs {
            score += num[j] == 0 ? 1 : (den[j] == 0 ? 0 : 1 - num[j] / den[j])
        }
        return score / Double(outputs)
    }

    // MARK: - PSTH R²

    /// nlb_tools `eval_psth` without jitter.
    ///
    /// `psth` is conditions × time × channels; `evalRates` is evalTrials × evalTime × channels;
    /// `condIndices[c]` lists the eval trials (0-based) of condition `c` (at most `conditions`
    /// lists; empty ones are skipped). Each condition's predicted PSTH is the mean of its trials'
    /// rates; bins where `psth[c, t, 0]` is NaN are dropped; all conditions' rows are stacked and
    /// scored with `r2Score` (uniform average over channels).
    public static func psthR2(psth: [Double], conditions: Int, time: Int, channels: Int,
                              evalRates: [Double], evalTime: Int, condIndices: [[Int]]) throws -> Double {
        try require(conditions > 0 && time > 0 && channels > 0,
                    "psth R²: conditions, time and channels must be positive (got \(conditions), \(time), \(channels))")
        let perCondition = try checkedProduct(time, channels, "psth R²: time × channels")
        try require(psth.count == (try checkedProduct(conditions, perCondition, "psth R²: psth size")),
                    "psth R²: psth has \(psth.count) elements, expected conditions × time × channels = \(conditions) × \(time) × \(channels)")
        try require(evalTime == time,
                    "psth R²: psth has \(time) bins but eval rates have \(evalTime); align the eval window with the PSTH")
        try require(!evalRates.isEmpty && evalRates.count % perCondition == 0,
                    "psth R²: eval rates have \(evalRates.count) elements, not a positive multiple of time × channels = \(perCondition)")
        try require(condIndices.count <= conditions,
                    "psth R²: \(condIndices.count) condition index lists but the psth has only \(conditions) conditions")
        let trials = evalRates.count / perCondition
        var truth: [Double] = [], pred: [Double] = []
        for (c, idx) in condIndices.enumerated() where !idx.isEmpty {
            for k in idx {
                try require(k >= 0 && k < trials,
                            "psth R²: condition \(c) lists eval trial \(k) but there are \(trials) eval trials")
            }
            for t in 0..<time {
                let base = c * perCondition + t * channels
                if psth[base].isNaN { continue }
                for j in 0..<channels {
                    var s = 0.0
                    for k in idx { s += evalRates[k * perCondition + t * channels + j] }
                    let p = s / Double(idx.count)
                    try require(!p.isNaN, "psth R²: NaN rate predictions for condition \(c), bin \(t), channel \(j) within the PSTH window")
                    try require(!psth[base + j].isNaN, "psth R²: psth[\(c), \(t), \(j)] is NaN although channel 0 of that bin is not")
                    truth.append(psth[base + j]); pred.append(p)
                }
            }
        }
        try require(!truth.isEmpty, "psth R²: no condition has both eval trials and non-NaN PSTH bins")
        return try r2Score(truth: truth, predicted: pred, outputs: channels)
    }

    // MARK: - Velocity decoding

    /// Outcome of the cross-validated ridge decoder.
    public struct VelocityDecoding: Sendable, Equatable {
        /// R² on the eval rows (uniform average over behaviour channels).
        public let r2: Double
        /// The penalty GridSearchCV picked.
        public let bestAlpha: Double
        /// Mean cross-validated R² per entry of `NLBMetrics.ridgeAlphas`.
        public let meanCVScores: [Double]
    }

    /// nlb_tools `velocity_decoding` with a single decode mask; returns the eval R².
    /// See `velocityDecoding` for the details.
    public static func velocityR2(trainRates: [Double], trainBehavior: [Double],
                                  evalRates: [Double], evalBehavior: [Double],
                                  rateChannels: Int, behaviorChannels: Int) throws -> Double {
        try velocityDecoding(trainRates: trainRates, trainBehavior: trainBehavior, evalRates: evalRates,
                             evalBehavior: evalBehavior, rateChannels: rateChannels,
                             behaviorChannels: behaviorChannels).r2
    }

    /// nlb_tools `velocity_decoding` with a single decode mask.
    ///
    /// Trials × time are flattened to rows; rows whose behaviour channel 0 is NaN are dropped.
    /// GridSearchCV over `Ridge(alpha)` (intercept fitted, alpha ∈ `ridgeAlphas`) with 5
    /// contiguous KFold folds (the first n mod 5 folds one row longer), scored by mean-over-folds
    /// R²; the first alpha with the best mean wins; the decoder is refitted on every training row
    /// and scored on the eval rows. Ridge is solved in Double on centred data by Cholesky (with
    /// an eigen-decomposition fallback).
    public static func velocityDecoding(trainRates: [Double], trainBehavior: [Double],
                                        evalRates: [Double], evalBehavior: [Double],
                                        rateChannels: Int, behaviorChannels: Int) throws -> VelocityDecoding {
        let p = rateChannels, q = behaviorChannels
        try require(p > 0 && q > 0, "velocity R²: rateChannels and behaviorChannels must be positive (got \(p), \(q))")
        let train = try decodeRows(trainRates, trainBehavior, p, q, "train")
        let eval = try decodeRows(evalRates, evalBehavior, p, q, "eval")
        try require(train.rows >= cvFolds,
                    "velocity R²: \(train.rows) training rows with behaviour is fewer than the \(cvFolds) CV folds; pass more trials")
        try require(eval.rows > 0, "velocity R²: no eval rows with behaviour (all behaviour is NaN)")

        let folds = kFoldSizes(rows: train.rows, folds: cvFolds)
        var starts = [0]
        for s in folds { starts.append(starts[starts.count - 1] + s) }
        let blocks = (0..<cvFolds).map {
            RidgeMoments(x: train.x, y: train.y, rows: starts[$0]..<starts[$0 + 1], p: p, q: q)
        }
        var scores = [[Double]](repeating: [], count: ridgeAlphas.count)
        for k in 0..<cvFolds {
            let others = (0..<cvFolds).filter { $0 != k }
            var fitSet = blocks[others[0]]
            for j in others.dropFirst() { fitSet.merge(blocks[j]) }
            let range = starts[k]..<starts[k + 1]
            let testY = Array(train.y[(range.lowerBound * q)..<(range.upperBound * q)])
            for (a, alpha) in ridgeAlphas.enumerated() {
                let model = try fitSet.solve(alpha: alpha)
                let pred = model.predict(train.x, rows: range, p: p)
                scores[a].append(try r2Score(truth: testY, predicted: pred, outputs: q))
            }
        }
        let means = scores.map { $0.reduce(0, +) / Double($0.count) }
        let best = bestIndex(means)
        var all = blocks[0]
        for j in 1..<cvFolds { all.merge(blocks[j]) }
        let model = try all.solve(alpha: ridgeAlphas[best])
        let pred = model.predict(eval.x, rows: 0..<eval.rows, p: p)
        let r2 = try r2Score(truth: eval.y, predicted: pred, outputs: q)
        return VelocityDecoding(r2: r2, bestAlpha: ridgeAlphas[best], meanCVScores: means)
    }

    /// scikit-learn KFold test-fold sizes: `rows / folds` each, the first `rows % folds` one larger.
    static func kFoldSizes(rows: Int, folds: Int) -> [Int] {
        (0..<folds).map { rows / folds + ($0 < rows % folds ? 1 : 0) }
    }

    /// GridSearchCV's choice: rank by mean score (NaN ranks below every real score), first best.
    static func bestIndex(_ means: [Double]) -> Int {
        var best = 0
        for i in means.indices where !means[i].isNaN && (means[best].isNaN || means[i] > means[best]) { best = i }
        return best
    }

    /// Flattens rates/behaviour to rows and drops rows whose behaviour channel 0 is NaN.
    private static func decodeRows(_ rates: [Double], _ behavior: [Double], _ p: Int, _ q: Int,
                                   _ split: String) throws -> (x: [Double], y: [Double], rows: Int) {
        try require(rates.count % p == 0 && behavior.count % q == 0,
                    "velocity R²: \(split) rates (\(rates.count)) or behaviour (\(behavior.count)) is not a multiple of its channel count (\(p), \(q))")
        let rows = rates.count / p
        try require(behavior.count / q == rows,
                    "velocity R²: \(split) rates have \(rows) trial×time rows but behaviour has \(behavior.count / q); pass matching tensors")
        var x: [Double] = [], y: [Double] = []
        x.reserveCapacity(rates.count); y.reserveCapacity(behavior.count)
        for r in 0..<rows where !behavior[r * q].isNaN {
            for j in 0..<q {
                try require(!behavior[r * q + j].isNaN,
                            "velocity R²: \(split) behaviour row \(r) has NaN in channel \(j) but not in channel 0; mask whole rows")
                y.append(behavior[r * q + j])
            }
            for i in 0..<p {
                try require(!rates[r * p + i].isNaN,
                            "velocity R²: \(split) rates are NaN at row \(r), channel \(i) where behaviour is present; predict every decoded bin")
                x.append(rates[r * p + i])
            }
        }
        return (x, y, y.count / q)
    }

    // MARK: - Smoothing baseline

    /// The Gaussian window nlb_tools `NWBDataset.smooth_spk` builds: standard deviation
    /// σ = kernelSDms / binWidthMs bins, length ⌊6σ⌋ (symmetric, centred at (M − 1)/2),
    /// normalised to sum 1.
    public static func gaussianWindow(kernelSDms: Double, binWidthMs: Double) throws -> [Double] {
        try require(kernelSDms > 0 && kernelSDms.isFinite && binWidthMs > 0 && binWidthMs.isFinite,
                    "gaussian window: kernel sd (\(kernelSDms) ms) and bin width (\(binWidthMs) ms) must be positive and finite")
        let sd = kernelSDms / binWidthMs
        try require(6 * sd >= 1 && 6 * sd < 1e7,
                    "gaussian window: 6 × kernel sd / bin width = \(6 * sd) bins; choose a kernel sd between 1/6 of a bin and 1e6 bins")
        let m = Int(6 * sd)
        let centre = (Double(m) - 1) / 2
        let w = (0..<m).map { i -> Double in
            let d = Double(i) - centre
            return exp(-d * d / (2 * sd * sd))
        }
        let total = w.reduce(0, +)
        return w.map { $0 / total }
    }

    /// Convolves every trial's every channel with `window` (scipy `convolve(x, w, "same")`:
    /// output length `time`, aligned so output t sums x[k]·w[t + (M − 1)/2 − k]; zero padding at
    /// the trial edges, so nothing leaks between trials). Throws on NaN counts.
    public static func smooth(spikes: [Double], time: Int, channels: Int, window: [Double]) throws -> [Double] {
        try require(time > 0 && channels > 0 && !window.isEmpty,
                    "smooth: time (\(time)), channels (\(channels)) and the window length (\(window.count)) must be positive")
        let perTrial = try checkedProduct(time, channels, "smooth: time × channels")
        try require(spikes.count % perTrial == 0,
                    "smooth: \(spikes.count) elements is not a multiple of time × channels = \(perTrial)")
        if let bad = spikes.firstIndex(where: { $0.isNaN }) {
            throw MetricsError("smooth: spike count at flat index \(bad) is NaN; smoothing would spread it (pass complete held-in spikes)")
        }
        let m = window.count, shift = (m - 1) / 2
        var out = [Double](repeating: 0, count: spikes.count)
        for trial in 0..<(spikes.count / perTrial) {
            let base = trial * perTrial
            for t in 0..<time {
                // k ranges over input bins with 0 ≤ t + shift − k < m.
                let lo = max(0, t + shift - m + 1), hi = min(time - 1, t + shift)
                if lo > hi { continue }
                for k in lo...hi {
                    let w = window[t + shift - k]
                    for j in 0..<channels { out[base + t * channels + j] += w * spikes[base + k * channels + j] }
                }
            }
        }
        return out
    }

    /// Rates of the NLB "Smoothing" baseline, each flattened trials × time × channels.
    public struct SmoothingBaseline: Sendable {
        /// The normalised Gaussian window that was applied.
        public let window: [Double]
        /// Smoothed held-in training spikes (the held-in rate prediction).
        public let trainRatesHeldin: [Double]
        /// GLM predictions for the held-out channels on the training trials.
        public let trainRatesHeldout: [Double]
        /// Smoothed held-in eval spikes.
        public let evalRatesHeldin: [Double]
        /// GLM predictions for the held-out channels on the eval trials (score with co-bps).
        public let evalRatesHeldout: [Double]
        /// One Poisson GLM per held-out channel.
        public let fits: [PoissonGLMFit]
    }

    /// The NLB'21 "Smoothing" baseline (nlb_tools `examples/baselines/smoothing/run_smoothing.py`).
    ///
    /// Held-in spikes are smoothed per trial with `gaussianWindow` (smooth_spk's window; note
    /// run_smoothing.py truncates σ to an integer number of bins, which differs only when
    /// kernelSDms is not a multiple of binWidthMs). The GLM inputs are log(smoothed + logOffset)
    /// as in run_smoothing.py (pass `logOffset: nil` to regress on the smoothed counts
    /// themselves). For each held-out channel an L2-penalised Poisson GLM (`fitPoissonGLM`,
    /// PoissonRegressor's objective, solved to convergence) maps training inputs to training
    /// held-out spikes; its predictions are clipped to [1e-9, 1e20]. Held-in rates are the
    /// smoothed spikes. Defaults are mc_maze's published settings (50 ms, alpha 0.01).
    public static func smoothingBaseline(trainSpikesHeldin: [Double], trainSpikesHeldout: [Double],
                                         evalSpikesHeldin: [Double], time: Int,
                                         heldinChannels: Int, heldoutChannels: Int,
                                         binWidthMs: Double, kernelSDms: Double = 50, alpha: Double = 0.01,
                                         logOffset: Double? = 1e-4) throws -> SmoothingBaseline {
        try require(heldinChannels > 0 && heldoutChannels > 0,
                    "smoothing baseline: heldinChannels and heldoutChannels must be positive (got \(heldinChannels), \(heldoutChannels))")
        if let off = logOffset { try require(off > 0 && off.isFinite, "smoothing baseline: logOffset must be positive (got \(off))") }
        let window = try gaussianWindow(kernelSDms: kernelSDms, binWidthMs: binWidthMs)
        let trainIn = try smooth(spikes: trainSpikesHeldin, time: time, channels: heldinChannels, window: window)
        let evalIn = try smooth(spikes: evalSpikesHeldin, time: time, channels: heldinChannels, window: window)
        let rows = trainIn.count / heldinChannels, evalRows = evalIn.count / heldinChannels
        try require(trainSpikesHeldout.count == (try checkedProduct(rows, heldoutChannels, "smoothing baseline: held-out size")),
                    "smoothing baseline: train held-out spikes have \(trainSpikesHeldout.count) elements, expected \(rows) rows × \(heldoutChannels) channels to match held-in")
        let features: ([Double]) -> [Double] = { s in logOffset.map { off in s.map { log($0 + off) } } ?? s }
        let xTrain = features(trainIn), xEval = features(evalIn)
        var trainOut = [Double](repeating: 0, count: rows * heldoutChannels)
        var evalOut = [Double](repeating: 0, count: evalRows * heldoutChannels)
        var fits: [PoissonGLMFit] = []
        var y = [Double](repeating: 0, count: rows)
        for u in 0..<heldoutChannels {
            for r in 0..<rows { y[r] = trainSpikesHeldout[r * heldoutChannels + u] }
            let fit = try fitPoissonGLM(inputs: xTrain, inputDim: heldinChannels, targets: y, alpha: alpha)
            let clip: (Double) -> Double = { min(max($0, 1e-9), 1e20) }
            for (r, v) in fit.predict(inputs: xTrain).enumerated() { trainOut[r * heldoutChannels + u] = clip(v) }
            for (r, v) in fit.predict(inputs: xEval).enumerated() { evalOut[r * heldoutChannels + u] = clip(v) }
            fits.append(fit)
        }
        return SmoothingBaseline(window: window, trainRatesHeldin: trainIn, trainRatesHeldout: trainOut,
                                 evalRatesHeldin: evalIn, evalRatesHeldout: evalOut, fits: fits)
    }

    static func checkedProduct(_ a: Int, _ b: Int, _ what: String) throws -> Int {
        let (v, overflow) = a.multipliedReportingOverflow(by: b)
        try require(!overflow, "\(what) overflows (\(a) × \(b))")
        return v
    }
}

// MARK: - Poisson GLM (scikit-learn PoissonRegressor objective)

/// An L2-penalised Poisson GLM with log link: rate = exp(x·w + b).
public struct PoissonGLMFit: Sendable, Equatable {
    /// Input weights (inputDim).
    public let weights: [Double]
    /// Unpenalised intercept (−∞ when every target was 0: the fit predicts rate 0).
    public let intercept: Double
    /// Newton iterations taken.
    public let iterations: Int
    /// Whether the largest gradient component fell below the tolerance.
    public let converged: Bool
    /// Largest absolute gradient component at the returned parameters.
    public let gradientMax: Double

    /// Predicted rates exp(x·w + b) for rows × inputDim `inputs` (row-major).
    public func predict(inputs: [Double]) -> [Double] {
        let p = weights.count
        guard p > 0 else { return [] }
        return (0..<(inputs.count / p)).map { r in
            var eta = intercept
            for i in 0..<p { eta += inputs[r * p + i] * weights[i] }
            return exp(eta)
        }
    }
}

extension NLBMetrics {
    /// Fits scikit-learn `PoissonRegressor(alpha=alpha)`'s objective exactly:
    /// mean over rows of (exp(η) − y·η) + alpha/2·‖w‖², η = x·w + b, intercept unpenalised
    /// (= mean half Poisson deviance + penalty, up to a constant). Solved by damped Newton
    /// (Cholesky steps, Armijo backtracking) from w = 0, b = ln(mean y) until every gradient
    /// component is ≤ `tolerance`. scikit-learn's default lbfgs stops at gradient 1e-4, so its
    /// predictions differ from this optimum by roughly that relative amount.
    /// Cost per iteration: rows × inputDim² (the Hessian).
    public static func fitPoissonGLM(inputs: [Double], inputDim: Int, targets: [Double], alpha: Double,
                                     tolerance: Double = 1e-10, maxIterations: Int = 100) throws -> PoissonGLMFit {
        let p = inputDim, n = targets.count
        try require(p > 0 && n > 0, "poisson GLM: inputDim (\(p)) and the number of targets (\(n)) must be positive")
        try require(inputs.count == (try checkedProduct(n, p, "poisson GLM: input size")),
                    "poisson GLM: inputs have \(inputs.count) elements, expected \(n) rows × \(p) = \(n * p)")
        try require(alpha >= 0 && alpha.isFinite, "poisson GLM: alpha must be finite and ≥ 0 (got \(alpha))")
        try require(targets.allSatisfy { $0 >= 0 }, "poisson GLM: targets must be counts ≥ 0 (found a negative or NaN value)")
        try require(inputs.allSatisfy { $0.isFinite }, "poisson GLM: inputs contain NaN or infinity")
        let meanY = targets.reduce(0, +) / Double(n)
        if meanY == 0 {
            return PoissonGLMFit(weights: [Double](repeating: 0, count: p), intercept: -.infinity,
                                 iterations: 0, converged: true, gradientMax: 0)
        }
        let dim = p + 1, invN = 1 / Double(n)
        var theta = [Double](repeating: 0, count: dim)
        theta[p] = log(meanY)
        var eta = [Double](repeating: 0, count: n)

        func objective(_ th: [Double], _ eta: inout [Double]) -> Double {
            var s = 0.0
            for r in 0..<n {
                var e = th[p]
                for i in 0..<p { e += inputs[r * p + i] * th[i] }
                eta[r] = e
                s += exp(e) - targets[r] * e
            }
            var pen = 0.0
            for i in 0..<p { pen += th[i] * th[i] }
            let f = s * invN + 0.5 * alpha * pen
            return f.isNaN ? .infinity : f
        }

        var f = objective(theta, &eta)
        var g = [Double](repeating: 0, count: dim), h = [Double](repeating: 0, count: dim * dim)
        var mu = [Double](repeating: 0, count: n)
        var trialEta = eta
        var iterations = 0, gmax = Double.infinity
        while true {
            for i in 0..<dim { g[i] = 0 }
            for r in 0..<n {
                mu[r] = exp(eta[r])
                let res = mu[r] - targets[r]
                for i in 0..<p { g[i] += inputs[r * p + i] * res }
                g[p] += res
            }
            for i in 0..<dim { g[i] *= invN }
            for i in 0..<p { g[i] += alpha * theta[i] }
            gmax = g.reduce(0) { max($0, abs($1)) }
            if gmax <= tolerance || iterations >= maxIterations { break }
            iterations += 1

            for i in 0..<(dim * dim) { h[i] = 0 }
            inputs.withUnsafeBufferPointer { x in
                h.withUnsafeMutableBufferPointer { hp in
                    for r in 0..<n {
                        let m = mu[r], row = r * p
                        for i in 0..<p {
                            let a = m * x[row + i]
                            for j in i..<p { hp[i * dim + j] += a * x[row + j] }
                            hp[i * dim + p] += a
                        }
                        hp[p * dim + p] += m
                    }
                }
            }
            for i in 0..<dim {
                for j in i..<dim { h[i * dim + j] *= invN; h[j * dim + i] = h[i * dim + j] }
            }
            for i in 0..<p { h[i * dim + i] += alpha }
            let d = try newtonStep(h, dim: dim, gradient: g)
            let decrement = -zip(g, d).reduce(0) { $0 + $1.0 * $1.1 }
            var step = 1.0, accepted = false
            let scale = max(1, abs(f))
            for _ in 0..<60 {
                let trial = (0..<dim).map { theta[$0] + step * d[$0] }
                let fNew = objective(trial, &trialEta)
                let armijo = fNew <= f - 1e-4 * step * decrement
                let noiseLevel = decrement <= 1e-12 * scale && fNew <= f + 1e-12 * scale
                if armijo || noiseLevel {
                    theta = trial; f = fNew; swap(&eta, &trialEta); accepted = true
                    break
                }
                step *= 0.5
            }
            if !accepted { break }
        }
        return PoissonGLMFit(weights: Array(theta[0..<p]), intercept: theta[p], iterations: iterations,
                             converged: gmax <= tolerance, gradientMax: gmax)
    }

    /// Solves H·d = −g for the Newton direction; adds growing jitter if H is numerically singular.
    private static func newtonStep(_ h: [Double], dim: Int, gradient g: [Double]) throws -> [Double] {
        let rhs = g.map { -$0 }
        if let d = spdSolve(h, n: dim, rhs: rhs, columns: 1) { return d }
        var trace = 0.0
        for i in 0..<dim { trace += h[i * dim + i] }
        var jitter = 1e-12 * max(trace / Double(dim), 1e-300)
        for _ in 0..<8 {
            var hj = h
            for i in 0..<dim { hj[i * dim + i] += jitter }
            if let d = spdSolve(hj, n: dim, rhs: rhs, columns: 1) { return d }
            jitter *= 100
        }
        throw MetricsError("poisson GLM: the Hessian is singular (constant or collinear inputs with alpha = 0); use alpha > 0")
    }
}

// MARK: - Ridge regression internals

/// Centred sufficient statistics of a block of rows: count, means and centred cross-products.
/// Blocks merge exactly (parallel-axis update), so each CV training set costs no extra pass.
struct RidgeMoments {
    let p: Int, q: Int
    var n: Int
    var meanX: [Double], meanY: [Double]
    var sxx: [Double]   // p × p
    var sxy: [Double]   // p × q

    init(x: [Double], y: [Double], rows: Range<Int>, p: Int, q: Int) {
        self.p = p; self.q = q; n = rows.count
        meanX = [Double](repeating: 0, count: p); meanY = [Double](repeating: 0, count: q)
        for r in rows {
            for i in 0..<p { meanX[i] += x[r * p + i] }
            for k in 0..<q { meanY[k] += y[r * q + k] }
        }
        let c = Double(max(n, 1))
        for i in 0..<p { meanX[i] /= c }
        for k in 0..<q { meanY[k] /= c }
        var s = [Double](repeating: 0, count: p * p), sy = [Double](repeating: 0, count: p * q)
        var cx = [Double](repeating: 0, count: p), cy = [Double](repeating: 0, count: q)
        let mx = meanX, my = meanY
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                s.withUnsafeMutableBufferPointer { sb in
                    sy.withUnsafeMutableBufferPointer { syb in
                        for r in rows {
                            for i in 0..<p { cx[i] = xb[r * p + i] - mx[i] }
                            for k in 0..<q { cy[k] = yb[r * q + k] - my[k] }
                            for i in 0..<p {
                                let a = cx[i]
                                for j in i..<p { sb[i * p + j] += a * cx[j] }
                                for k in 0..<q { syb[i * q + k] += a * cy[k] }
                            }
                        }
                    }
                }
            }
        }
        for i in 0..<p { for j in 0..<i { s[i * p + j] = s[j * p + i] } }
        sxx = s; sxy = sy
    }

    mutating func merge(_ o: RidgeMoments) {
        if o.n == 0 { return }
        if n == 0 { self = o; return }
        let na = Double(n), nb = Double(o.n), nt = na + nb, f = na * nb / nt
        let dx = (0..<p).map { o.meanX[$0] - meanX[$0] }, dy = (0..<q).map { o.meanY[$0] - meanY[$0] }
        for i in 0..<p {
            for j in 0..<p { sxx[i * p + j] += o.sxx[i * p + j] + f * dx[i] * dx[j] }
            for k in 0..<q { sxy[i * q + k] += o.sxy[i * q + k] + f * dx[i] * dy[k] }
        }
        for i in 0..<p { meanX[i] += dx[i] * nb / nt }
        for k in 0..<q { meanY[k] += dy[k] * nb / nt }
        n += o.n
    }

    /// Ridge with intercept: (Xcᵀ Xc + αI) W = Xcᵀ Yc, b = ȳ − x̄ᵀW (scikit-learn's cholesky path).
    func solve(alpha: Double) throws -> RidgeModel {
        var a = sxx
        for i in 0..<p { a[i * p + i] += alpha }
        let w = try spdSolve(a, n: p, rhs: sxy, columns: q) ?? symmetricPseudoSolve(a, n: p, rhs: sxy, columns: q)
        let b = (0..<q).map { k in meanY[k] - (0..<p).reduce(0) { $0 + meanX[$1] * w[$1 * q + k] } }
        return RidgeModel(weights: w, intercept: b)
    }
}

/// A fitted multi-output linear map: y = x·W + b (W is p × q row-major).
struct RidgeModel {
    let weights: [Double]
    let intercept: [Double]

    func predict(_ x: [Double], rows: Range<Int>, p: Int) -> [Double] {
        let q = intercept.count
        var out = [Double](repeating: 0, count: rows.count * q)
        for (o, r) in rows.enumerated() {
            for k in 0..<q {
                var s = intercept[k]
                for i in 0..<p { s += x[r * p + i] * weights[i * q + k] }
                out[o * q + k] = s
            }
        }
        return out
    }
}

/// Cholesky solve of A·X = B (A symmetric positive definite, n × n; B n × columns, row-major), the
/// same solver as the affine fits; nil when A is not numerically positive definite.
func spdSolve(_ a: [Double], n: Int, rhs: [Double], columns: Int) -> [Double]? {
    guard let x = try? AffineFit.choleskySolve(a, n: n, rhs: rhs, columns: columns), x.allSatisfy(\.isFinite) else { return nil }
    return x
}

/// Minimum-norm solve of a symmetric system via a cyclic Jacobi eigen-decomposition, dropping
/// eigenvalues below n·ε·max|λ| (the graceful fallback when Cholesky fails).
func symmetricPseudoSolve(_ a: [Double], n: Int, rhs: [Double], columns: Int) throws -> [Double] {
    var m = a, v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { v[i * n + i] = 1 }
    for _ in 0..<100 {
        var off = 0.0
        for i in 0..<n { for j in (i + 1)..<n { off += m[i * n + j] * m[i * n + j] } }
        if off < 1e-30 { break }
        for pi in 0..<n {
            for qi in (pi + 1)..<n where m[pi * n + qi] != 0 {
                let theta = (m[qi * n + qi] - m[pi * n + pi]) / (2 * m[pi * n + qi])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<n {   // columns pi, qi
                    let mkp = m[k * n + pi], mkq = m[k * n + qi]
                    m[k * n + pi] = c * mkp - s * mkq; m[k * n + qi] = s * mkp + c * mkq
                }
                for k in 0..<n {   // rows pi, qi
                    let mpk = m[pi * n + k], mqk = m[qi * n + k]
                    m[pi * n + k] = c * mpk - s * mqk; m[qi * n + k] = s * mpk + c * mqk
                }
                for k in 0..<n {
                    let vkp = v[k * n + pi], vkq = v[k * n + qi]
                    v[k * n + pi] = c * vkp - s * vkq; v[k * n + qi] = s * vkp + c * vkq
                }
            }
        }
    }
    let lambda = (0..<n).map { m[$0 * n + $0] }
    let cutoff = Double(n) * Double.ulpOfOne * (lambda.map(abs).max() ?? 0)
    try require(lambda.allSatisfy { $0.isFinite }, "ridge: the normal equations are not finite; check the rates for infinities")
    var x = [Double](repeating: 0, count: n * columns)
    for e in 0..<n where abs(lambda[e]) > cutoff {
        for c in 0..<columns {
            var proj = 0.0
            for k in 0..<n { proj += v[k * n + e] * rhs[k * columns + c] }
            proj /= lambda[e]
            for k in 0..<n { x[k * columns + c] += v[k * n + e] * proj }
        }
    }
    return x
}
