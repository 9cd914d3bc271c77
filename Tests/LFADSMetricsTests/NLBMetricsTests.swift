import Foundation
import TestSupport
import Testing
@testable import LFADSMetrics

// Known-answer tests for NLBMetrics, then reference tests that run nlb_reference.py (nlb_tools 0.0.4,
// scikit-learn) on a seeded synthetic data set and compare.

@Suite("NLBMetrics") struct NLBMetricsTests {
    // MARK: Known answers

    @Test func bitsPerSpikeKnownAnswers() throws {
        // One channel, counts (0, 2), rates (0.5, 2), null = 1 → (2 ln 2 − 0.5) / (2 ln 2).
        let bps = try NLBMetrics.bitsPerSpike(rates: [0.5, 2], spikes: [0, 2], channels: 1)
        #expect(abs(bps - (1 - 0.25 / log(2.0))) < 1e-12)
        // The null model (per-channel mean over all trials and bins) scores exactly 0.
        let spikes: [Double] = [0, 3, 1, 1, 2, 0, 1, 5]   // 2 trials × 2 bins × 2 channels
        let null: [Double] = [1, 2.25, 1, 2.25, 1, 2.25, 1, 2.25]
        #expect(abs(try NLBMetrics.bitsPerSpike(rates: null, spikes: spikes, channels: 2)) < 1e-12)
        // A zero rate becomes 1e-9: model NLL = 1e-9 + (2 − 2 ln 2), null NLL = 1 + 1.
        let floored = try NLBMetrics.bitsPerSpike(rates: [0, 2], spikes: [0, 2], channels: 1)
        #expect(abs(floored - (1 - 1e-9 / (2 * log(2.0)))) < 1e-12)
        // NaN counts are skipped, including in the null mean, and their rates may be anything.
        let masked = try NLBMetrics.bitsPerSpike(rates: [0.5, .nan, 2], spikes: [0, .nan, 2], channels: 1)
        #expect(abs(masked - bps) < 1e-12)
    }

    @Test func bitsPerSpikeRejectsBadInput() {
        #expect(throws: MetricsError.self) { try NLBMetrics.bitsPerSpike(rates: [-0.1, 1], spikes: [0, 1], channels: 1) }
        #expect(throws: MetricsError.self) { try NLBMetrics.bitsPerSpike(rates: [.nan, 1], spikes: [0, 1], channels: 1) }
        #expect(throws: MetricsError.self) { try NLBMetrics.bitsPerSpike(rates: [1], spikes: [0, 1], channels: 1) }
        #expect(throws: MetricsError.self) { try NLBMetrics.bitsPerSpike(rates: [1, 1, 1], spikes: [0, 1, 1], channels: 2) }
        #expect(throws: MetricsError.self) { try NLBMetrics.bitsPerSpike(rates: [1, 1], spikes: [0, 0], channels: 1) }
    }

    @Test func r2ScoreFollowsSklearnConventions() throws {
        // Column 0: SS_res 1, SS_tot 2 → 0.5. Column 1 constant and exact → 1. Mean 0.75.
        #expect(abs(try NLBMetrics.r2Score(truth: [1, 5, 3, 5], predicted: [1, 5, 2, 5], outputs: 2) - 0.75) < 1e-15)
        // Constant column predicted inexactly scores 0 (force_finite), not −∞.
        #expect(try NLBMetrics.r2Score(truth: [5, 5], predicted: [5, 6], outputs: 1) == 0)
        // Fewer than two rows is undefined (NaN, as scikit-learn); NaN input is rejected.
        #expect(try NLBMetrics.r2Score(truth: [1], predicted: [1], outputs: 1).isNaN)
        #expect(throws: MetricsError.self) { try NLBMetrics.r2Score(truth: [1, .nan], predicted: [1, 2], outputs: 1) }
    }

    @Test func ridgeRecoversNoiselessLinearMapAndSklearnFolds() throws {
        #expect(NLBMetrics.kFoldSizes(rows: 23, folds: 5) == [5, 5, 5, 4, 4])
        #expect(NLBMetrics.kFoldSizes(rows: 10, folds: 5) == [2, 2, 2, 2, 2])
        #expect(NLBMetrics.bestIndex([0.5, .nan, 0.7, 0.7]) == 2)
        // y = x·W + b exactly, with large input variance: ridge shrinkage is negligible.
        var rng = SplitMix64(seed: 7)
        func data(_ rows: Int) -> ([Double], [Double]) {
            var x: [Double] = [], y: [Double] = []
            for _ in 0..<rows {
                let r = (0..<3).map { _ in 20 * rng.normal() }
                x += r
                y += [2 * r[0] - r[1] + 3, 0.5 * r[2] - 1]
            }
            return (x, y)
        }
        let (xt, yt) = data(200), (xe, ye) = data(50)
        var ytNaN = yt
        ytNaN[0] = .nan; ytNaN[1] = .nan   // a dropped row
        let fit = try NLBMetrics.velocityDecoding(trainRates: xt, trainBehavior: ytNaN, evalRates: xe, evalBehavior: ye,
                                                  rateChannels: 3, behaviorChannels: 2)
        #expect(fit.r2 > 1 - 1e-9)
        #expect(fit.bestAlpha == 1e-4)
        #expect(fit.meanCVScores.count == 9 && fit.meanCVScores.allSatisfy { $0 > 1 - 1e-6 })
        // Rates NaN where behaviour is present, or too few rows, are errors.
        var xBad = xt
        xBad[10] = .nan
        #expect(throws: MetricsError.self) {
            try NLBMetrics.velocityR2(trainRates: xBad, trainBehavior: yt, evalRates: xe, evalBehavior: ye, rateChannels: 3, behaviorChannels: 2)
        }
        #expect(throws: MetricsError.self) {
            try NLBMetrics.velocityR2(trainRates: Array(xt[0..<12]), trainBehavior: Array(yt[0..<8]), evalRates: xe,
                                      evalBehavior: ye, rateChannels: 3, behaviorChannels: 2)
        }
    }

    @Test func ridgeFallbackSolvesSingularSystems() throws {
        // [[1, 1], [1, 1]] x = [2, 2]: minimum-norm solution (1, 1).
        #expect(spdSolve([1, 1, 1, 1], n: 2, rhs: [2, 2], columns: 1) == nil)
        let x = try symmetricPseudoSolve([1, 1, 1, 1], n: 2, rhs: [2, 2], columns: 1)
        #expect(abs(x[0] - 1) < 1e-12 && abs(x[1] - 1) < 1e-12)
    }

    @Test func psthOfIdenticalTrialsScoresOne() throws {
        // 2 conditions × 3 bins × 2 channels; condition 1's last bin is NaN (outside its window).
        let psth: [Double] = [1, 2, 3, 1, 5, 0, 2, 2, 4, 1, .nan, .nan]
        // Eval trials 0, 2 are condition 0, trial 1 condition 1 (its NaN-bin rate is ignored).
        var rates = Array(psth[0..<6]) + Array(psth[6..<12]) + Array(psth[0..<6])
        rates[10] = .nan
        let r2 = try NLBMetrics.psthR2(psth: psth, conditions: 2, time: 3, channels: 2, evalRates: rates,
                                       evalTime: 3, condIndices: [[0, 2], [1]])
        #expect(r2 == 1)
        #expect(throws: MetricsError.self) {
            try NLBMetrics.psthR2(psth: psth, conditions: 2, time: 3, channels: 2, evalRates: rates, evalTime: 2, condIndices: [[0]])
        }
        #expect(throws: MetricsError.self) {
            try NLBMetrics.psthR2(psth: psth, conditions: 2, time: 3, channels: 2, evalRates: rates, evalTime: 3, condIndices: [[0], [3]])
        }
    }

    @Test func gaussianWindowAndSmoothingKnownAnswers() throws {
        // σ = 1 bin → ⌊6σ⌋ = 6 points centred at 2.5, normalised.
        let w = try NLBMetrics.gaussianWindow(kernelSDms: 5, binWidthMs: 5)
        let raw = (0..<6).map { exp(-pow(Double($0) - 2.5, 2) / 2) }
        let total = raw.reduce(0, +)
        #expect(w.count == 6 && zip(w, raw).allSatisfy { abs($0 - $1 / total) < 1e-15 })
        #expect(try NLBMetrics.gaussianWindow(kernelSDms: 50, binWidthMs: 5).count == 60)
        // An impulse at bin 10 of a 30-bin trial reproduces the window at offset 10 − (6 − 1)/2.
        var spikes = [Double](repeating: 0, count: 60)   // 2 trials × 30 bins × 1 channel
        spikes[10] = 1
        let s = try NLBMetrics.smooth(spikes: spikes, time: 30, channels: 1, window: w)
        #expect((0..<6).allSatisfy { abs(s[8 + $0] - w[$0]) < 1e-15 })
        #expect(abs(s.reduce(0, +) - 1) < 1e-12 && s[30...].allSatisfy { $0 == 0 })   // no leak into trial 2
        #expect(throws: MetricsError.self) { try NLBMetrics.gaussianWindow(kernelSDms: 0.5, binWidthMs: 5) }
        #expect(throws: MetricsError.self) { try NLBMetrics.smooth(spikes: [.nan, 0], time: 2, channels: 1, window: w) }
    }

    @Test func poissonGLMReachesTheOptimum() throws {
        var rng = SplitMix64(seed: 11)
        let rows = 400, p = 3, alpha = 0.05
        var x: [Double] = [], y: [Double] = []
        for _ in 0..<rows {
            let r = (0..<p).map { _ in rng.normal() }
            x += r
            y.append(Double(rng.poisson(exp(0.3 + 0.5 * r[0] - 0.4 * r[2]))))
        }
        let fit = try NLBMetrics.fitPoissonGLM(inputs: x, inputDim: p, targets: y, alpha: alpha)
        #expect(fit.converged && fit.iterations < 30)
        // Stationarity, checked independently: mean (μ − y)·x + α w = 0 and mean (μ − y) = 0.
        let mu = fit.predict(inputs: x)
        var g = [Double](repeating: 0, count: p + 1)
        for r in 0..<rows {
            for i in 0..<p { g[i] += (mu[r] - y[r]) * x[r * p + i] / Double(rows) }
            g[p] += (mu[r] - y[r]) / Double(rows)
        }
        for i in 0..<p { g[i] += alpha * fit.weights[i] }
        #expect(g.allSatisfy { abs($0) < 1e-9 })
        #expect(abs(fit.weights[0] - 0.5) < 0.2 && abs(fit.weights[1]) < 0.2)
        // No spikes at all → rate 0 everywhere (the baseline clips it to 1e-9).
        let zero = try NLBMetrics.fitPoissonGLM(inputs: x, inputDim: p, targets: [Double](repeating: 0, count: rows), alpha: alpha)
        #expect(zero.predict(inputs: Array(x[0..<3])) == [0])
        #expect(throws: MetricsError.self) { try NLBMetrics.fitPoissonGLM(inputs: x, inputDim: p, targets: [-1] + y.dropFirst(), alpha: alpha) }
    }

    // MARK: Reference (nlb_tools / scikit-learn)

    @Test func bitsPerSpikeMatchesNLBTools() throws {
        guard let ref = referenceOrRecord() else { return }
        let f = fixture
        let co = try NLBMetrics.bitsPerSpike(rates: f.evalRatesHeldout, spikes: f.evalSpikesHeldout, channels: f.heldout)
        let fp = try NLBMetrics.bitsPerSpike(rates: f.fpRates, spikes: f.fpSpikes, channels: f.channels)
        expectRelative(co, ref.scalar("co_bps"), 1e-9, "co-bps")
        expectRelative(fp, ref.scalar("fp_bps"), 1e-9, "fp-bps")
    }

    @Test func velocityR2MatchesNLBTools() throws {
        guard let ref = referenceOrRecord() else { return }
        let f = fixture
        let v = try NLBMetrics.velocityDecoding(trainRates: f.trainRates, trainBehavior: f.trainBehavior,
                                                evalRates: f.evalRates, evalBehavior: f.evalBehavior,
                                                rateChannels: f.channels, behaviorChannels: f.behaviorChannels)
        expectRelative(v.r2, ref.scalar("vel_r2"), 1e-9, "velocity R²")
        #expect(v.bestAlpha == ref.scalar("vel_best_alpha"))
        let means = ref.array("vel_cv_means")
        #expect(means.count == v.meanCVScores.count)
        for (a, b) in zip(v.meanCVScores, means) { expectRelative(a, b, 1e-9, "mean CV R²") }
    }

    @Test func rSquaredMatchesScikitLearn() throws {
        guard let ref = referenceOrRecord() else { return }
        let f = fixture
        let (p, t) = (f.fpRates.map(Float.init), f.fpSpikes.map(Float.init))   // Float, as model outputs are; 1e-5 covers the rounding
        expectRelative(try RSquared.varianceWeighted(predicted: p, target: t, neurons: f.channels),
                       ref.scalar("r2_variance_weighted"), 1e-5, "variance-weighted R²")
        expectRelative(try RSquared.meanOverNeurons(predicted: p, target: t, neurons: f.channels),
                       ref.scalar("r2_uniform"), 1e-5, "mean-over-neurons R²")
    }

    @Test func psthR2MatchesNLBTools() throws {
        guard let ref = referenceOrRecord() else { return }
        let f = fixture
        let r2 = try NLBMetrics.psthR2(psth: f.psth, conditions: f.conditions, time: f.time, channels: f.channels,
                                       evalRates: f.evalRates, evalTime: f.time, condIndices: f.evalCondIndices)
        expectRelative(r2, ref.scalar("psth_r2"), 1e-9, "psth R²")
    }

    @Test func smoothingMatchesSmoothSpk() throws {
        guard let ref = referenceOrRecord() else { return }
        let f = fixture
        let expected = ref.arrays("smooth_train")
        #expect(expected.count == Fixture.smoothConfigs.count)
        for (c, cfg) in Fixture.smoothConfigs.enumerated() where c < expected.count {
            let w = try NLBMetrics.gaussianWindow(kernelSDms: cfg.0, binWidthMs: cfg.1)
            let s = try NLBMetrics.smooth(spikes: f.trainSpikesHeldin, time: f.time, channels: f.heldin, window: w)
            #expect(s.count == expected[c].count)
            let err = zip(s, expected[c]).map { abs($0 - $1) }.max() ?? .infinity
            #expect(err < 1e-12, "smoothing (\(cfg.0) ms, \(cfg.1) ms bins): max abs difference \(err)")
        }
    }

    @Test func smoothingBaselineMatchesPoissonRegressor() throws {
        guard let ref = referenceOrRecord() else { return }
        let f = fixture
        let g = Fixture.glmConfig
        let b = try NLBMetrics.smoothingBaseline(trainSpikesHeldin: f.trainSpikesHeldin, trainSpikesHeldout: f.trainSpikesHeldout,
                                                 evalSpikesHeldin: f.evalSpikesHeldin, time: f.time, heldinChannels: f.heldin,
                                                 heldoutChannels: f.heldout, binWidthMs: g.bin, kernelSDms: g.kern,
                                                 alpha: g.alpha, logOffset: g.logOffset)
        #expect(b.fits.allSatisfy { $0.converged })
        #expect(maxAbs(b.evalRatesHeldin, ref.array("glm_smooth_eval")) < 1e-12)
        // Against PoissonRegressor(solver="newton-cholesky", tol=1e-12): the same optimum.
        #expect(maxRelative(b.trainRatesHeldout, ref.array("glm_exact_train")) < 1e-6)
        #expect(maxRelative(b.evalRatesHeldout, ref.array("glm_exact_eval")) < 1e-6)
        for (u, fit) in b.fits.enumerated() {
            #expect(maxAbs(fit.weights, ref.arrays("glm_coef")[u]) < 1e-6)
            #expect(abs(fit.intercept - ref.array("glm_intercept")[u]) < 1e-6)
        }
        // Against run_smoothing.py's default lbfgs fit (stops at gradient 1e-4).
        #expect(maxRelative(b.evalRatesHeldout, ref.array("glm_lbfgs_eval")) < 1e-2)
        // The baseline's rates score like the reference's.
        let bps = try NLBMetrics.bitsPerSpike(rates: b.evalRatesHeldout, spikes: f.evalSpikesHeldout, channels: f.heldout)
        let refBps = try NLBMetrics.bitsPerSpike(rates: ref.array("glm_exact_eval"), spikes: f.evalSpikesHeldout, channels: f.heldout)
        expectRelative(bps, refBps, 1e-6, "baseline co-bps")
    }
}

// MARK: - Helpers

private func expectRelative(_ a: Double, _ b: Double, _ tol: Double, _ what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
    let err = abs(a - b) / max(abs(b), 1e-12)
    #expect(err < tol, "\(what): Swift \(a) vs reference \(b) (relative difference \(err))", sourceLocation: sourceLocation)
}

private func maxAbs(_ a: [Double], _ b: [Double]) -> Double {
    a.count == b.count ? (zip(a, b).map { abs($0 - $1) }.max() ?? 0) : .infinity
}

private func maxRelative(_ a: [Double], _ b: [Double]) -> Double {
    a.count == b.count ? (zip(a, b).map { abs($0 - $1) / max(abs($1), 1e-12) }.max() ?? 0) : .infinity
}


/// Seeded synthetic NLB-like data: Poisson counts from smooth rates, 40 trials × 20 bins × 12 units
/// (8 held-in, 4 held-out; 30 train, 10 eval), behaviour a noisy linear map of the rates with NaN
/// first bins, three conditions whose PSTHs have NaN tail bins.
struct Fixture: Sendable {
    static let smoothConfigs: [(Double, Double)] = [(50, 5), (40, 20), (30, 20), (50, 20)]
    static let glmConfig = (kern: 50.0, bin: 20.0, alpha: 0.01, logOffset: 1e-4)
    let time = 20, heldin = 8, heldout = 4, channels = 12, trainTrials = 30, evalTrials = 10
    let forwardTime = 5, behaviorChannels = 2, conditions = 3
    var trainSpikesHeldin: [Double] = [], trainSpikesHeldout: [Double] = [], evalSpikesHeldin: [Double] = []
    var evalSpikesHeldout: [Double] = [], evalRatesHeldout: [Double] = []
    var fpSpikes: [Double] = [], fpRates: [Double] = []
    var trainRates: [Double] = [], trainBehavior: [Double] = [], evalRates: [Double] = [], evalBehavior: [Double] = []
    var psth: [Double] = [], evalCondIndices: [[Int]] = []

    init(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let n = channels, total = trainTrials + evalTrials, span = time + forwardTime
        let bias = (0..<n).map { _ in log(0.15 + 0.5 * rng.uniform()) }
        let load = (0..<(n * 3)).map { _ in 0.6 * rng.normal() }
        let readout = (0..<(n * behaviorChannels)).map { _ in 3 * rng.normal() }
        let phase = (0..<conditions).map { Double($0) * 2.1 }
        var truth = [[Double]](), model = [[Double]](), counts = [[Double]]()   // per trial: span × n
        for trial in 0..<total {
            let c = trial % conditions, jitter = 0.2 * rng.normal()
            var r = [Double](), m = [Double](), s = [Double]()
            for t in 0..<span {
                let u = Double(t) / Double(time)
                let lat = [sin(2 * .pi * u + phase[c] + jitter), cos(.pi * u + phase[c]), u - 0.5]
                for j in 0..<n {
                    let rate = exp(bias[j] + (0..<3).reduce(0) { $0 + load[j * 3 + $1] * lat[$1] })
                    r.append(rate); m.append(rate * exp(0.2 * rng.normal())); s.append(Double(rng.poisson(rate)))
                }
            }
            truth.append(r); model.append(m); counts.append(s)
        }
        func take(_ src: [[Double]], _ trials: Range<Int>, _ bins: Range<Int>, _ chans: Range<Int>) -> [Double] {
            var out: [Double] = []
            for tr in trials { for t in bins { for j in chans { out.append(src[tr][t * n + j]) } } }
            return out
        }
        let train = 0..<trainTrials, eval = trainTrials..<total, obs = 0..<time
        trainSpikesHeldin = take(counts, train, obs, 0..<heldin)
        trainSpikesHeldout = take(counts, train, obs, heldin..<n)
        evalSpikesHeldin = take(counts, eval, obs, 0..<heldin)
        evalSpikesHeldout = take(counts, eval, obs, heldin..<n)
        evalRatesHeldout = take(model, eval, obs, heldin..<n)
        for t in (time - 3)..<time { for j in 0..<heldout { evalSpikesHeldout[t * heldout + j] = .nan } }  // trial 0 tail missing
        evalRatesHeldout[(time - 1) * heldout] = .nan                                                      // ignored there
        if let z = evalSpikesHeldout.firstIndex(of: 0) { evalRatesHeldout[z] = 0 }                         // floored to 1e-9
        fpSpikes = take(counts, eval, time..<span, 0..<n)
        fpRates = take(model, eval, time..<span, 0..<n)
        trainRates = take(model, train, obs, 0..<n)
        evalRates = take(model, eval, obs, 0..<n)
        func behaviour(_ trials: Range<Int>) -> [Double] {
            var out: [Double] = []
            for tr in trials {
                for t in obs {
                    for k in 0..<behaviorChannels {
                        let v = (0..<n).reduce(0) { $0 + readout[$1 * behaviorChannels + k] * truth[tr][t * n + $1] }
                        out.append(t < 2 ? .nan : v + 0.3 * rng.normal())
                    }
                }
            }
            return out
        }
        trainBehavior = behaviour(train)
        evalBehavior = behaviour(eval)
        for c in 0..<conditions {
            let members = (0..<total).filter { $0 % conditions == c }
            for t in obs {
                for j in 0..<n {
                    let mean = members.reduce(0) { $0 + truth[$1][t * n + j] } / Double(members.count)
                    psth.append(t >= time - 2 * (c + 1) ? .nan : mean)
                }
            }
        }
        evalCondIndices = (0..<conditions).map { c in (0..<evalTrials).filter { (trainTrials + $0) % conditions == c } }
    }

    /// The JSON document nlb_reference.py reads (NaN written as null).
    func json() throws -> Data {
        func a(_ v: [Double]) -> [Any] { v.map { $0.isNaN ? NSNull() : $0 as Any } }
        let g = Fixture.glmConfig
        let doc: [String: Any] = [
            "time": time, "heldin": heldin, "heldout": heldout, "train_trials": trainTrials, "eval_trials": evalTrials,
            "behavior_channels": behaviorChannels, "conditions": conditions, "forward_time": forwardTime,
            "eval_rates_heldout": a(evalRatesHeldout), "eval_spikes_heldout": a(evalSpikesHeldout),
            "fp_rates": a(fpRates), "fp_spikes": a(fpSpikes),
            "train_rates": a(trainRates), "train_behavior": a(trainBehavior),
            "eval_rates": a(evalRates), "eval_behavior": a(evalBehavior),
            "psth": a(psth), "eval_cond_idx": evalCondIndices,
            "train_spikes_heldin": a(trainSpikesHeldin), "train_spikes_heldout": a(trainSpikesHeldout),
            "eval_spikes_heldin": a(evalSpikesHeldin),
            "smooth_configs": Fixture.smoothConfigs.map { [$0.0, $0.1] },
            "glm": ["kern_sd": g.kern, "bin_width": g.bin, "alpha": g.alpha, "log_offset": g.logOffset],
        ]
        return try JSONSerialization.data(withJSONObject: doc)
    }
}

let fixture = Fixture(seed: 2021)

/// Parsed output of nlb_reference.py.
struct NLBReference: Sendable {
    let scalars: [String: Double]
    let vectors: [String: [Double]]
    let matrices: [String: [[Double]]]
    func scalar(_ k: String) -> Double { scalars[k] ?? .nan }
    func array(_ k: String) -> [Double] { vectors[k] ?? [] }
    func arrays(_ k: String) -> [[Double]] { matrices[k] ?? [] }
}

/// Runs nlb_reference.py once per test process; `.failure` carries the message to record.
let nlbReference: Result<NLBReference, MetricsError> = runNLBReference()

private func referenceOrRecord(sourceLocation: SourceLocation = #_sourceLocation) -> NLBReference? {
    switch nlbReference {
    case .success(let r): return r
    case .failure(let e): Issue.record(Comment(rawValue: e.message), sourceLocation: sourceLocation); return nil
    }
}

private func runNLBReference() -> Result<NLBReference, MetricsError> {
    let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    let root = here.deletingLastPathComponent().deletingLastPathComponent()
    let python = ProcessInfo.processInfo.environment["AUTOLFADS_NLB_PYTHON"] ?? root.appendingPathComponent(".venv-nlb/bin/python").path
    let hint = "run scripts/deps --test to create .venv-nlb with nlb_tools 0.0.4 and scikit-learn (or set AUTOLFADS_NLB_PYTHON)"
    guard FileManager.default.isExecutableFile(atPath: python) else {
        return .failure(MetricsError("NLB reference python \(python) not found; \(hint)"))
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nlbmetrics-\(UUID().uuidString)")
    do {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("input.json")
        try fixture.json().write(to: input)
        // Blocking (this runs in a global's initialiser), with the output read by TestProcess's own thread.
        let r = try TestProcess(python, [here.appendingPathComponent("nlb_reference.py").path, input.path]).waitBlocking(seconds: 600)
        guard r.status == 0 else {
            let last = r.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(r.status)"
            return .failure(MetricsError(r.stderr.contains("No module named") ? "nlb_reference.py cannot import its modules (\(last)); \(hint)"
                                                                               : "nlb_reference.py failed: \(last)"))
        }
        guard let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else {
            return .failure(MetricsError("nlb_reference.py printed no JSON object"))
        }
        func num(_ v: Any) -> Double { (v as? NSNumber)?.doubleValue ?? .nan }
        var s: [String: Double] = [:], v: [String: [Double]] = [:], m: [String: [[Double]]] = [:]
        for (k, value) in obj {
            if let list = value as? [[Any]] { m[k] = list.map { $0.map(num) } }
            else if let list = value as? [Any] { v[k] = list.map(num) }
            else { s[k] = num(value) }
        }
        return .success(NLBReference(scalars: s, vectors: v, matrices: m))
    } catch {
        return .failure(MetricsError("running nlb_reference.py with \(python) failed: \(error)"))
    }
}
