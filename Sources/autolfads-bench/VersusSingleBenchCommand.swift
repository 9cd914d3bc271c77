import ArgumentParser
import Foundation
import LFADSData
import Runtime
import FileSystem

/// `autolfads bench autolfads-vs-single`: does a default AutoLFADS run beat one default LFADS model on
/// held-out neurons? Generates benchmark datasets with held-out neurons and ground truth, runs each
/// contender as the user would (the `train` and `run` commands of this binary, in child processes) and
/// scores the best model with `autolfads evaluate`'s NLB metrics.
struct VersusSingleBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autolfads-vs-single",
        abstract: "Default `run` (PBT) vs default `train` (one model) on held-out neurons: co-bps, rate and latent R² vs truth, time, epochs.",
        discussion: """
        Datasets (each with the last quarter of its neurons held out of the encoder, and a test split that
        training and model selection never read, on which every number is scored): lorenz (1000 trials:
        600 train / 200 valid / 200 test × 100 bins × 60 neurons), chaotic-rnn (chaotic network with input
        pulses, 1000 trials split the same way × 100 bins × 50 neurons) and small (Lorenz, 150 / 50 / 50
        trials × 35 bins of 20 ms × 24 neurons at ≈ 10 spikes/s, like a short real session). Contenders: single
        (`autolfads train` defaults), run (`autolfads run` defaults), and every --variant NAME=FILE (a run.yaml
        whose keys are laid over the defaults). One line per dataset × seed × contender; results are also
        written to <out>/results.csv.
        """)

    @Option(help: "Comma-separated datasets: lorenz, chaotic-rnn, small.") var datasets = "lorenz,chaotic-rnn,small"
    @Option(help: "Comma-separated seeds (data and model).") var seeds = "0,1,2"
    @Option(help: "Working folder (datasets, runs, results.csv).") var out = "runs/bench-vs-single"
    @Option(help: "Contenders besides the variants: single, run.") var contenders = "single,run"
    @Option(name: .customLong("variant"), help: "NAME=run.yaml: another run config to compare (repeatable).")
    var variants: [String] = []
    @Option(help: "Slots of each run (0 = all cores).") var slots = 0

    struct Row {
        var dataset: String, seed: Int, contender: String
        var coBPS: Double?, ratesR2: Double?, latentsR2: Double?, seconds: Double, epochs: Int
    }

    func run() throws {
        let names = datasets.split(separator: ",").map(String.init)
        let seedList = try seeds.split(separator: ",").map { s -> Int in
            guard let v = Int(s), v >= 0 else { throw ValidationError("--seeds '\(seeds)' must be comma-separated whole numbers") }
            return v
        }
        let plain = contenders.split(separator: ",").map(String.init)
        for c in plain where !["single", "run"].contains(c) { throw ValidationError("--contenders: '\(c)' is not single or run") }
        let extra = try variants.map { v -> (String, String) in
            let parts = v.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, FileManager.default.fileExists(atPath: parts[1]) else {
                throw ValidationError("--variant '\(v)' must be NAME=existing-run.yaml")
            }
            return (parts[0], URL(fileURLWithPath: parts[1]).standardizedFileURL.path)
        }
        let root = URL(fileURLWithPath: out).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        print(Self.header)
        var rows: [Row] = []
        for name in names {
            for seed in seedList {
                let data = try Self.dataset(name, seed: seed, folder: root)
                for contender in plain {
                    rows.append(contender == "single" ? try single(data, name: name, seed: seed, root: root)
                                                      : try pbt(data, name: name, seed: seed, root: root, contender: "run", base: nil))
                    print(Self.line(rows.last!))
                }
                for (label, file) in extra {
                    rows.append(try pbt(data, name: name, seed: seed, root: root, contender: label, base: file))
                    print(Self.line(rows.last!))
                }
            }
        }
        let csv = (["dataset,seed,contender,co_bps,rates_r2,latents_r2,seconds,epochs"] + rows.map {
            "\($0.dataset),\($0.seed),\($0.contender),\(Self.num($0.coBPS)),\(Self.num($0.ratesR2)),\(Self.num($0.latentsR2)),\(String(format: "%.1f", $0.seconds)),\($0.epochs)"
        }).joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(csv.utf8), to: root + "/results.csv", createDirectories: false)
        print("\nco-bps: NLB co-smoothing bits/spike of the held-out neurons on the test split (never read by training or selection); R²: rates and factors → latents against the truth on it.")
        print("wrote \(root)/results.csv")
    }

    /// A benchmark dataset with the last quarter of its neurons held out, written once per seed, and a
    /// test split as large as the valid split, carved from the train trials: it is scored and never
    /// read by training or model selection (PBT and early stopping read valid).
    static func dataset(_ name: String, seed: Int, folder: String) throws -> String {
        let path = "\(folder)/\(name)_heldout_test_s\(seed).h5"
        if FileManager.default.fileExists(atPath: path) { return path }
        let d: LFADSDataset
        switch name {
        case "lorenz":   // 1000 trials: 600 train, 200 valid, 200 test
            var c = LorenzConfig(); c.seed = UInt64(seed); c.trialsPerCondition = 50
            d = try LorenzGenerator.generate(c)
        case "chaotic-rnn":   // 1000 trials: 600 train, 200 valid, 200 test
            var c = ChaoticRNNConfig(); c.seed = UInt64(seed); c.conditions = 40; c.trialsPerCondition = 25
            d = try ChaoticRNNGenerator.generate(c)
        case "small":   // 250 trials: 150 train, 50 valid, 50 test
            // A short real session: 20 ms bins and about 10 spikes/s per neuron (0.2 counts per bin).
            var c = LorenzConfig(); c.seed = UInt64(seed); c.conditions = 25; c.trialsPerCondition = 10; c.bins = 35; c.neurons = 24
            c.binSeconds = 0.02; c.logRateBias = 1.6
            d = try LorenzGenerator.generate(c)
        default:
            throw ValidationError("--datasets: '\(name)' is not lorenz, chaotic-rnn or small")
        }
        let withTest = try d.carvingTestSplit(trials: d.valid?.trialCount ?? 0, seed: UInt64(seed) &+ 7_919)
        try LFADSWriter.write(try withTest.holdingOut(lastNeurons: d.encodNeurons / 4), to: path)
        return path
    }

    func single(_ data: String, name: String, seed: Int, root: String) throws -> Row {
        let dir = "\(root)/single_\(name)_s\(seed)"
        try? FileManager.default.removeItem(atPath: dir)
        let t0 = Date()
        try Self.spawn(["train", "--data", data, "--out", dir, "seed=\(seed)"], log: dir + ".log")
        let seconds = Date().timeIntervalSince(t0)
        let epochs = max(0, ((try? String(contentsOfFile: dir + "/train_log.csv", encoding: .utf8)) ?? "")
            .split(separator: "\n").count - 1)
        return try Self.score(outputDir: dir, name: name, seed: seed, contender: "single", seconds: seconds, epochs: epochs)
    }

    func pbt(_ data: String, name: String, seed: Int, root: String, contender: String, base: String?) throws -> Row {
        let runName = "\(contender)_\(name)_s\(seed)"
        let runDir = "\(root)/runs/\(runName)"
        try? FileManager.default.removeItem(atPath: runDir)
        var yaml = (try base.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? "")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !["name:", "data:", "storage:", "seed:", "store:"].contains(where: $0.hasPrefix) }
            .joined(separator: "\n")
        yaml += "\nname: \(runName)\ndata: \(data)\nstorage: \(root)\nseed: \(seed)\n"
        if slots > 0 { yaml += "resources: {slots: \(slots)}\n" }
        let cfg = "\(root)/\(runName).yaml"
        try AtomicFile.write(Data(yaml.utf8), to: cfg, createDirectories: false)
        let t0 = Date()
        try Self.spawn(["run", "--config", cfg, "--no-dashboard"], log: "\(root)/\(runName).log")
        let seconds = Date().timeIntervalSince(t0)
        return try Self.score(outputDir: runDir + "/best", name: name, seed: seed, contender: contender, seconds: seconds,
                         epochs: Self.epochsSpent(runDir))
    }

    static func score(outputDir: String, name: String, seed: Int, contender: String, seconds: Double, epochs: Int) throws -> Row {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: outputDir)) ?? [])
            .filter { $0.hasPrefix("lfads_output_") && $0.hasSuffix(".h5") }
        guard let file = files.first else { throw ValidationError("\(contender) on \(name) seed \(seed) wrote no lfads_output_*.h5 in \(outputDir)") }
        let e = try NLBEvaluation.evaluate(outputPath: "\(outputDir)/\(file)", split: .test)
        return Row(dataset: name, seed: seed, contender: contender, coBPS: e.model.coBPS, ratesR2: e.model.ratesTruthR2,
                   latentsR2: e.model.factorsLatentsR2, seconds: seconds, epochs: epochs)
    }

    /// Epochs trained by all workers of a run: the sum over `result.json` files of their epochs.
    static func epochsSpent(_ runDir: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: runDir) else { return 0 }
        var total = 0
        for case let path as String in walker where path.hasSuffix("result.json") {
            if let data = FileManager.default.contents(atPath: "\(runDir)/\(path)"),
               let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let e = (obj["epochs"] as? NSNumber)?.intValue { total += e }
        }
        return total
    }

    /// Runs this binary with `arguments`, output to `log`; a non-zero exit is an error naming the log.
    static func spawn(_ arguments: [String], log: String) throws {
        let p = try ChildProcess(executable: try AutoLFADSExecutable.path(), arguments: arguments,
                                 environment: ProcessInfo.processInfo.environment, logPath: log)
        while p.exit == nil { usleep(100_000) }
        guard let exit = p.exit, exit.succeeded else {
            throw ValidationError("autolfads \(arguments.joined(separator: " ")) \(p.exit.map { "\($0)" } ?? "did not finish"); see \(log)")
        }
    }

    static let header = "dataset      seed  contender        co-bps   rate R²  latents R²  seconds  epochs"
    static func line(_ r: Row) -> String {
        r.dataset.padding(toLength: 13, withPad: " ", startingAt: 0) + String(r.seed).padding(toLength: 6, withPad: " ", startingAt: 0)
            + r.contender.padding(toLength: 15, withPad: " ", startingAt: 0)
            + pad(num(r.coBPS), 8) + "  " + pad(num(r.ratesR2), 8) + "  " + pad(num(r.latentsR2), 10)
            + String(format: "  %7.0f  %6d", r.seconds, r.epochs)
    }
    static func num(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "-" }
    static func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
}
