import Foundation
import ArgumentParser
import LFADSData

/// `autolfads data inspect FILE`: summary, statistics, oracle bits/spike and problems.
struct DataInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise an LFADS data file (either convention) and list validation problems.")

    @Argument(help: "The HDF5 data file.")
    var file: String

    @Flag(help: "Accept NaN counts (missing data) for observation models that mask them.")
    var allowMissing = false

    @Flag(help: "Accept non-integer / negative values (continuous observation models).")
    var continuous = false

    @Option(name: .customLong("truth-scale"), help: "Divide the file's truth by this to get counts per bin (default: conversion_factor, else detected: counts per bin or Hz).")
    var truthScale: Double?

    func run() throws {
        if NWBSummary.isNWB(path: file) { return try NWBSummary(path: file).lines.forEach { print($0) } }
        // DataFileError prints as its one-line message ("Error: …") with exit code 1.
        let summary = try DatasetSummary(path: file, options: LFADSReadOptions(allowMissing: allowMissing, requireCounts: !continuous, truthScale: truthScale))
        summary.lines.forEach { print($0) }
        if !summary.isValid { throw ExitCode(1) }
    }
}

/// `autolfads data synth lorenz|chaotic-rnn --out FILE …`: seeded synthetic benchmarks.
struct DataSynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate a synthetic benchmark with ground truth (same seed → identical file).")

    enum Kind: String, ExpressibleByArgument, CaseIterable { case lorenz, chaoticRNN = "chaotic-rnn", emg, calcium, lorenzSessions = "lorenz-sessions", nlb }

    @Argument(help: "lorenz, chaotic-rnn, emg (Gamma-noise muscle activity), calcium (deconvolved events, NaN where not sampled), lorenz-sessions (one file per session sharing the Lorenz latents, for stitching) or nlb (an NWB file in the Neural Latents Benchmark mc_maze layout, with ground truth).")
    var kind: Kind

    @Option(help: "Output .h5 path (.nwb for nlb; written atomically).")
    var out: String?

    @Option(name: .customLong("out-dir"), help: "lorenz-sessions: folder for lorenz_session<i>.h5.")
    var outDir: String?

    @Option(help: "lorenz-sessions: number of sessions (neurons 40, 55, 70, … or --neurons + 15·i; odd sessions have 3/4 of the trials).")
    var sessions = 2

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Total trials (a multiple of --conditions). Default: lorenz 800, chaotic-rnn 1000, emg/calcium 400, nlb 200 (any number).")
    var trials: Int?

    @Option(help: "Conditions (initial conditions). Default: lorenz 20, chaotic-rnn 100, emg/calcium 20, nlb 8.")
    var conditions: Int?

    @Option(help: "Neurons. Default: lorenz 60, chaotic-rnn 50 (= network units), emg 12 muscles, calcium 30, nlb 40.")
    var neurons: Int?

    @Option(help: "Time bins per trial. Default 100.")
    var bins: Int?

    @Option(help: "nlb: held-out units (default a quarter of --neurons).")
    var heldout: Int?

    @Option(help: "nlb: latent dynamics, lorenz or chaotic-rnn (default lorenz).")
    var latents: String?

    func run() throws {
        if kind == .lorenzSessions { return try runSessions() }
        if kind == .nlb { return try runNLB() }
        guard let out else { throw DataCommandError("give the output file with --out FILE") }
        let dataset: LFADSDataset
        switch kind {
        case .lorenzSessions, .nlb: return
        case .lorenz:
            var c = LorenzConfig()
            c.seed = seed
            try apply(&c.conditions, &c.trialsPerCondition, &c.neurons, &c.bins)
            dataset = try LorenzGenerator.generate(c)
        case .chaoticRNN:
            var c = ChaoticRNNConfig()
            c.seed = seed
            try apply(&c.conditions, &c.trialsPerCondition, &c.neurons, &c.bins)
            dataset = try ChaoticRNNGenerator.generate(c)
        case .emg:
            var c = EMGConfig()
            c.seed = seed
            try apply(&c.conditions, &c.trialsPerCondition, &c.muscles, &c.bins)
            dataset = try EMGGenerator.generate(c)
        case .calcium:
            var c = CalciumConfig()
            c.seed = seed
            try apply(&c.conditions, &c.trialsPerCondition, &c.neurons, &c.bins)
            dataset = try CalciumGenerator.generate(c)
        }
        try LFADSWriter.write(dataset, to: out)
        print("wrote \(out): \(kind.rawValue), seed \(seed), train \(dataset.trialCount(.train)) / valid \(dataset.trialCount(.valid)) trials, \(dataset.encodTime) bins, \(dataset.encodNeurons) neurons")
    }

    /// `lorenz-sessions`: `--sessions` files in `--out-dir` sharing one set of Lorenz latents.
    private func runSessions() throws {
        guard let outDir else { throw DataCommandError("lorenz-sessions writes one file per session: give --out-dir DIR") }
        guard sessions >= 1 else { throw DataCommandError("--sessions must be ≥ 1 (got \(sessions))") }
        var c = LorenzConfig()
        c.seed = seed
        try apply(&c.conditions, &c.trialsPerCondition, &c.neurons, &c.bins)
        let first = neurons ?? 40
        let counts = (0..<sessions).map { first + 15 * $0 }
        let perCond = (0..<sessions).map { $0 % 2 == 1 ? max(1, c.trialsPerCondition * 3 / 4) : c.trialsPerCondition }
        let datasets = try LorenzSessionsGenerator.generate(c, neurons: counts, trialsPerCondition: perCond)
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        for (i, d) in datasets.enumerated() {
            let path = outDir + "/lorenz_session\(i).h5"
            try LFADSWriter.write(d, to: path)
            print("wrote \(path): train \(d.trialCount(.train)) / valid \(d.trialCount(.valid)) trials, \(d.encodTime) bins, \(d.encodNeurons) neurons")
        }
    }

    /// `nlb`: one NWB file (units, trials, hand_vel, truth) for `data from-nwb` and nlb_tools.
    private func runNLB() throws {
        guard let out, out.hasSuffix(".nwb") else { throw DataCommandError("nlb writes an NWB file: give --out FILE.nwb") }
        guard bins == nil else { throw DataCommandError("--bins does not apply to nlb (trials are ~1 s of 1 ms spike times)") }
        var c = NLBSynthConfig()
        c.seed = seed
        if let trials { c.trials = trials }
        if let neurons { c.neurons = neurons }
        if let conditions { c.conditions = conditions }
        c.heldoutNeurons = heldout
        if let latents {
            guard let kind = NLBSynthLatentKind(rawValue: latents) else {
                throw DataCommandError("--latents \(latents) is not one of \(NLBSynthLatentKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            c.latents = kind
        }
        let s = try NLBSynthWriter.generate(c, to: out)
        print("wrote \(out): nlb (\(c.latents.rawValue)), seed \(seed), \(s.trials) trials (train \(s.trainTrials) / val \(s.validTrials) / test \(s.testTrials)), \(s.units) units (\(s.heldoutUnits) held out), \(s.spikeCounts.reduce(0, +)) spikes, \(String(format: "%.1f", s.durationSeconds)) s, \(s.bytes / 1024) KiB")
    }

    private func apply(_ conds: inout Int, _ perCond: inout Int, _ n: inout Int, _ t: inout Int) throws {
        let total = trials ?? conds * perCond
        if let conditions { conds = conditions }
        guard conds > 0, total > 0, total % conds == 0 else {
            throw DataCommandError("--trials \(total) must be a positive multiple of --conditions \(conds)")
        }
        perCond = total / conds
        if let neurons { n = neurons }
        if let bins { t = bins }
    }
}

/// A one-line CLI error (printed as "Error: <message>", exit code 1).
struct DataCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
