import ArgumentParser
import Foundation
import LFADSData
import LFADSModel

/// `autolfads bench obs`: trains each observation model on its synthetic data and compares
/// the fit to the truth with the Gaussian-smoothing baseline (and SBTT: Lorenz with 30% missing).
struct ObsBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "obs",
        abstract: "Observation models vs Gaussian smoothing on synthetic data with truth (valid R² after per-neuron affine fit).")

    enum Case: String, ExpressibleByArgument, CaseIterable { case emg, calcium, missing, all }
    @Argument(help: "emg (gamma, gaussian and mse), calcium (zig with staggered NaN), missing (Lorenz Poisson, 0% vs 30% NaN), or all.")
    var which: Case = .all
    @Option(help: "Training epochs per model.") var epochs = 60
    @Option(help: "Trials (20 conditions).") var trials = 400
    @Argument(help: "key=value overrides for every model.") var overrides: [String] = []

    func run() throws {
        var e = EMGConfig(); e.trialsPerCondition = trials / e.conditions
        var ca = CalciumConfig(); ca.trialsPerCondition = trials / ca.conditions
        if which == .emg || which == .all {
            let d = try EMGGenerator.generate(e)
            for model in ["gamma", "gaussian", "mse"] { try report("emg", model, d, ["reconstruction=\(model)"]) }
        }
        if which == .calcium || which == .all {
            try report("calcium", "zig", try CalciumGenerator.generate(ca), ["reconstruction=zig", "allow_missing=1"])
        }
        if which == .missing || which == .all {
            var l = LorenzConfig(); l.trialsPerCondition = trials / l.conditions; l.logRateBias = 1.5
            let full = try LorenzGenerator.generate(l)
            try report("lorenz", "poisson", full, [])
            try report("lorenz 30% NaN", "poisson", Self.withMissing(full, fraction: 0.3, seed: 7), ["allow_missing=1"])
        }
    }

    func report(_ data: String, _ model: String, _ d: LFADSDataset, _ keys: [String]) throws {
        var c = LFADSConfig()
        c.genDim = 48; c.facDim = 12; c.icEncDim = 32; c.maxEpochs = epochs; c.klIncreaseEpoch = epochs / 2; c.l2IncreaseEpoch = epochs / 2
        try c.apply(overrides: keys + overrides)
        let start = Date()
        let trainer = try Trainer(config: c, dataset: d, threads: 1)
        try trainer.train(epochs: epochs)
        let r2 = try TruthRecovery.modelR2(trainer, split: d.valid!)
        let base = TruthRecovery.smoothingBaseline(train: d.train!, valid: d.valid!)
        let label = (data.padding(toLength: 16, withPad: " ", startingAt: 0) + model).padding(toLength: 26, withPad: " ", startingAt: 0)
        print(label + String(format: "LFADS valid R² %.3f   smoothing (σ=%.1f bins) valid R² %.3f   ratio %.2f   %d epochs %.0fs",
                             r2, base.width, base.validR2, r2 / base.validR2, trainer.epoch, Date().timeIntervalSince(start)))
    }

    /// `d` with a seeded `fraction` of data entries set to NaN (encod and recon alike).
    static func withMissing(_ d: LFADSDataset, fraction: Double, seed: UInt64) -> LFADSDataset {
        var out = d
        var rng = SeededRandom(seed: seed)
        for (name, split) in d.splits {
            var s = split
            for i in s.encod.values.indices where rng.uniform() < fraction { s.encod.values[i] = .nan }
            if s.recon != nil { s.recon = s.encod }
            out.splits[name] = s
        }
        return out
    }
}
