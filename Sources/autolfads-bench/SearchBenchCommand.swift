import ArgumentParser
import Foundation
import FileSystem
import LFADSData
import Runtime

/// `autolfads bench search`: what PBT buys over random search with the same budget. Each search is a
/// real `autolfads run` (child process) on a generated Lorenz dataset with held-out neurons and truth;
/// both get the same population, generations and epochs (the improvement-ratio stop is off, so every
/// worker trains every generation), the same seed and so the same initial population. The best model
/// is scored as in `autolfads bench autolfads-vs-single`.
struct SearchBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "PBT vs random search with the same budget on generated Lorenz data: best validation metric, co-bps, rate R² vs truth.",
        discussion: """
        One line per seed and search; then the mean per search. Trailing key=value arguments are run.yaml \
        overrides given to every run (e.g. model.gen_dim=32 ramp_epochs=0). Datasets as in \
        `bench autolfads-vs-single` (lorenz: 1000 trials, 600 train / 200 valid / 200 test, × 100 bins × 60 neurons; small: 150 / 50 / 50 × 35 × 24), \
        the last quarter of the neurons held out. Results also go to <out>/results.csv.
        """)

    @Option(help: "Dataset: lorenz or small.") var dataset = "lorenz"
    @Option(help: "Comma-separated seeds (data, run and initial population).") var seeds = "0,1,2"
    @Option(help: "Comma-separated searches: pbt (sync PBT), async (async PBT), random, grid.") var searches = "pbt,random"
    @Option(help: "Workers per search.") var population = 8
    @Option(help: "Generations per search.") var generations = 10
    @Option(name: .customLong("epochs-per-generation"), help: "Epochs per generation.") var epochs = 10
    @Option(help: "Slots of each run (0 = all cores).") var slots = 0
    @Option(help: "Working folder (datasets, runs, results.csv).") var out = "runs/bench-search"
    @Argument(help: ArgumentHelp("key=value run.yaml overrides applied to every run.", valueName: "key=value")) var overrides: [String] = []

    struct Row { var seed: Int, search: String, best: Double?, coBPS: Double?, ratesR2: Double?, seconds: Double, epochs: Int }

    func run() throws {
        let seedList = try seeds.split(separator: ",").map { s -> Int in
            guard let v = Int(s), v >= 0 else { throw ValidationError("--seeds '\(seeds)' must be comma-separated whole numbers") }
            return v
        }
        let modes = searches.split(separator: ",").map(String.init)
        for m in modes where !["pbt", "async", "random", "grid"].contains(m) {
            throw ValidationError("--searches: '\(m)' is not pbt, async, random or grid")
        }
        guard ["lorenz", "small"].contains(dataset) else { throw ValidationError("--dataset must be lorenz or small") }
        let root = URL(fileURLWithPath: out).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        print("seed  search   best valid metric   co-bps   rate R²  seconds  epochs")
        var rows: [Row] = []
        for seed in seedList {
            let data = try VersusSingleBenchCommand.dataset(dataset, seed: seed, folder: root)
            for m in modes {
                rows.append(try search(m, data: data, seed: seed, root: root))
                print(Self.line(rows.last!))
            }
        }
        print("\nmean over \(seedList.count) seed(s):")
        for m in modes {
            let r = rows.filter { $0.search == m }
            func mean(_ f: (Row) -> Double?) -> Double? {
                let v = r.compactMap(f).filter(\.isFinite)
                return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
            }
            print(Self.line(Row(seed: -1, search: m, best: mean(\.best), coBPS: mean(\.coBPS), ratesR2: mean(\.ratesR2),
                                seconds: r.map(\.seconds).reduce(0, +) / Double(max(1, r.count)),
                                epochs: r.map(\.epochs).reduce(0, +) / max(1, r.count))))
        }
        let csv = (["seed,search,best_valid_metric,co_bps,rates_r2,seconds,epochs"] + rows.map {
            "\($0.seed),\($0.search),\(VersusSingleBenchCommand.num($0.best)),\(VersusSingleBenchCommand.num($0.coBPS)),\(VersusSingleBenchCommand.num($0.ratesR2)),\(String(format: "%.1f", $0.seconds)),\($0.epochs)"
        }).joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(csv.utf8), to: root + "/results.csv", createDirectories: false)
        print("\nbest valid metric: the runs' pbt.metric (default smoothed validation NLL, lower is better); co-bps: held-out neurons on the test split (never read by training or selection); rate R²: against the truth on it.")
        print("wrote \(root)/results.csv")
    }

    func search(_ mode: String, data: String, seed: Int, root: String) throws -> Row {
        let runName = "\(mode)_\(dataset)_s\(seed)"
        let runDir = "\(root)/runs/\(runName)"
        try? FileManager.default.removeItem(atPath: runDir)
        let args = ["run", "--no-dashboard", "name=\(runName)", "data=\(data)", "storage=\(root)", "seed=\(seed)",
                    "population=\(population)", "max_generations=\(generations)", "epochs_per_generation=\(epochs)",
                    "stopping.enabled=false", "pbt.mode=\(mode == "pbt" ? "sync" : mode)", "resources.slots=\(slots)"] + overrides
        let t0 = Date()
        try VersusSingleBenchCommand.spawn(args, log: "\(root)/\(runName).log")
        let seconds = Date().timeIntervalSince(t0)
        let summary = try? JSONDecoder().decode(PBTServer.Summary.self,
                                                from: Data(contentsOf: URL(fileURLWithPath: runDir + "/best/summary.json")))
        let scored = try VersusSingleBenchCommand.score(outputDir: runDir + "/best", name: dataset, seed: seed, contender: mode,
                                                        seconds: seconds, epochs: VersusSingleBenchCommand.epochsSpent(runDir))
        return Row(seed: seed, search: mode, best: summary?.bestScore, coBPS: scored.coBPS, ratesR2: scored.ratesR2,
                   seconds: seconds, epochs: scored.epochs)
    }

    static func line(_ r: Row) -> String {
        let num = VersusSingleBenchCommand.num, pad = VersusSingleBenchCommand.pad
        return (r.seed < 0 ? "all" : String(r.seed)).padding(toLength: 6, withPad: " ", startingAt: 0)
            + r.search.padding(toLength: 7, withPad: " ", startingAt: 0)
            + pad(r.best.map { String(format: "%.6g", $0) } ?? "-", 19) + "  " + pad(num(r.coBPS), 7) + "  " + pad(num(r.ratesR2), 8)
            + String(format: "  %7.0f  %6d", r.seconds, r.epochs)
    }
}
