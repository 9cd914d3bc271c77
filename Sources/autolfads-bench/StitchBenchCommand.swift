import ArgumentParser
import Foundation
import LFADSData
import LFADSMetrics
import LFADSModel

/// `autolfads bench stitch`: a two-session stitched LFADS model on synthetic Lorenz sessions
/// (shared latents, different neurons) against single-session models and Gaussian smoothing.
struct StitchBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stitch",
        abstract: "Multi-session stitching on two synthetic Lorenz sessions: per-session rate R², bits/spike, factors→latents R², shared-factor check.")

    @Option(help: "Training epochs per model.") var epochs = 60
    @Option(help: "Trials of session 0 (20 conditions); session 1 has 3/4 of them.") var trials = 400
    @Option(help: "Time bins per trial.") var bins = 50
    @Option(help: "Random seed of the data.") var seed: UInt64 = 0
    @Argument(help: "key=value overrides for every model.") var overrides: [String] = []

    func run() throws {
        var base = LorenzConfig()
        base.seed = seed; base.bins = bins; base.logRateBias = 1.5
        base.trialsPerCondition = max(1, trials / base.conditions)
        let data = try LorenzSessionsGenerator.generate(base, neurons: [40, 55],
                                                        trialsPerCondition: [base.trialsPerCondition, max(1, base.trialsPerCondition * 3 / 4)])
        var c = LFADSConfig()
        c.genDim = 48; c.facDim = 12; c.readinDim = 12; c.icEncDim = 32; c.maxEpochs = epochs
        c.klIncreaseEpoch = epochs / 2; c.l2IncreaseEpoch = epochs / 2
        try c.apply(overrides: overrides)
        print("data: 2 Lorenz sessions, neurons \(data.map(\.encodNeurons)), train trials \(data.map { $0.trialCount(.train) }), \(bins) bins; \(epochs) epochs each")

        let t0 = Date()
        let stitched = try Trainer(config: c, datasets: data, threads: 1)
        try stitched.train(epochs: epochs)
        let stitchedScores = try data.indices.map { try Self.score(stitched, data[$0], session: $0) }
        let stitchedSeconds = Date().timeIntervalSince(t0)
        var singles: [Score] = [], singleSeconds = 0.0
        for d in data {
            let t = Date()
            let single = try Trainer(config: c, dataset: d, threads: 1)
            try single.train(epochs: epochs)
            singles.append(try Self.score(single, d, session: 0))
            singleSeconds += Date().timeIntervalSince(t)
        }
        print("session  neurons  model        rate R²  bits/spike  factors→latents R²")
        for s in data.indices {
            let smooth = TruthRecovery.smoothingBaseline(train: data[s].train!, valid: data[s].valid!)
            let n = data[s].encodNeurons
            print(String(format: "%7d  %7d  stitched     %.3f    %.4f      %.3f", s, n, stitchedScores[s].rateR2, stitchedScores[s].bps, stitchedScores[s].latentR2))
            print(String(format: "%7d  %7d  single       %.3f    %.4f      %.3f", s, n, singles[s].rateR2, singles[s].bps, singles[s].latentR2))
            print(String(format: "%7d  %7d  smoothing    %.3f    (σ=%.1f bins)", s, n, smooth.validR2, smooth.width))
        }
        let shared = try Self.transferR2(from: stitchedScores[0], to: stitchedScores[1])
        let separate = try Self.transferR2(from: singles[0], to: singles[1])
        print(String(format: "shared factors: latents map fit on session 0's factors, applied to session 1's: stitched R² %.3f (own map %.3f); two single-session models R² %.3f",
                     shared, stitchedScores[1].latentR2, separate))
        print(String(format: "time: stitched %.0fs, single-session models %.0fs", stitchedSeconds, singleSeconds))
    }

    /// Valid-split scores of one session and its factors/latents for the transfer check.
    struct Score {
        var rateR2: Double, bps: Double, latentR2: Double
        var factors: [Float], latents: [Float], facDim: Int
    }

    static func score(_ t: Trainer, _ d: LFADSDataset, session: Int) throws -> Score {
        let valid = d.valid!
        let out = try t.posteriorOutputs(valid, samples: 10, session: session)
        let rates = out.arrays["output_params"]!.values, factors = out.arrays["factors"]!.values
        let n = valid.encod.channels
        let r2 = TruthRecovery.affineR2(predicted: rates, truth: valid.truth!.values, neurons: n)
        let bps = try PoissonMetrics.bitsPerSpike(counts: valid.encod.values, rates: rates, neurons: n)
        let fac = t.config.facDim, latents = valid.latents!.values
        let fit = try AffineFit.fit(inputs: factors, inputDim: fac, targets: latents, outputDim: 3)
        return Score(rateR2: r2, bps: bps, latentR2: fit.r2VarianceWeighted, factors: factors, latents: latents, facDim: fac)
    }

    /// Variance-weighted R² on `b`'s latents of the affine factors→latents map fitted on `a`.
    static func transferR2(from a: Score, to b: Score) throws -> Double {
        let w = try AffineFit.fit(inputs: a.factors, inputDim: a.facDim, targets: a.latents, outputDim: 3).weights
        let rows = b.latents.count / 3, p = b.facDim + 1
        var mean = [Double](repeating: 0, count: 3)
        for r in 0..<rows { for k in 0..<3 { mean[k] += Double(b.latents[r * 3 + k]) / Double(rows) } }
        var res = 0.0, tot = 0.0
        for r in 0..<rows {
            for k in 0..<3 {
                var pred = w[(p - 1) * 3 + k]
                for i in 0..<b.facDim { pred += Double(b.factors[r * b.facDim + i]) * w[i * 3 + k] }
                let y = Double(b.latents[r * 3 + k])
                res += (y - pred) * (y - pred); tot += (y - mean[k]) * (y - mean[k])
            }
        }
        return 1 - res / tot
    }
}
