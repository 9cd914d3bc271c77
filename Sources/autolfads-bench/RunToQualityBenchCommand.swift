import ArgumentParser
import Coordination
import FileSystem
import Foundation
import LFADSData
import LFADSMetrics
import LFADSModel
import Runtime

/// `autolfads bench run-to-quality`: how long a default `autolfads run` takes to give a good model. Runs the
/// real command (child process, embedded store, all cores as slots) on a generated Lorenz file with ground
/// truth, then replays the run from its store: after every finished job, the best model so far (by the
/// run's validation metric) is scored against the true rates, giving the wall time at which it first
/// reaches the rate-R² threshold.
struct RunToQualityBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-to-quality",
        abstract: "Wall time until a default `autolfads run` (8 workers) first has a best model with rate R² ≥ 0.95 vs truth; final R², latents R², time, slot utilisation.",
        discussion: """
        Data: the Lorenz generator's defaults (800 trials: 640 train / 160 valid × 100 bins × 60 neurons) with
        --seed. The run: `autolfads run` with the defaults, `population` --population, `seed` --seed, slots =
        --slots (0 = all cores). Time to quality: the end time of the first job after which the best
        worker-generation so far scores rate R² ≥ --threshold on the valid split (mean over neurons, --samples
        posterior samples of that checkpoint; computed after the run, so it costs the run nothing); beside it the
        variance-weighted R² (scikit-learn's "variance_weighted", where neurons whose true rate barely moves
        count little), which the threshold does not use. Final: the
        run's own output (the final step's ensemble) scored like `autolfads evaluate`. Utilisation: training
        seconds of all jobs ÷ (busy slots × wall time of the run), busy slots = min(slots, population): at most
        one job per worker runs at a time (with `threads_per_slot: auto` the idle slots' cores are the busy
        ones' threads).
        """)

    @Option(help: "Data and run seed.") var seed = 0
    @Option(help: "Workers.") var population = 8
    @Option(help: "Slots (0 = all cores).") var slots = 0
    @Option(help: "Rate R² (vs truth, valid split) that counts as a good model.") var threshold = 0.95
    @Option(help: "Posterior samples when scoring the best model after each job.") var samples = 10
    @Option(help: "Working folder (data, run).") var out = "runs/bench-run-to-quality"

    func run() async throws {
        guard population >= 2, slots >= 0, samples >= 1, threshold > 0, threshold < 1 else {
            throw ValidationError("--population ≥ 2, --slots ≥ 0, --samples ≥ 1 and 0 < --threshold < 1")
        }
        let root = URL(fileURLWithPath: out).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var lorenz = LorenzConfig(); lorenz.seed = UInt64(seed)
        let data = try LorenzGenerator.generate(lorenz)
        let dataPath = "\(root)/lorenz_s\(seed).h5"
        try LFADSWriter.write(data, to: dataPath)
        let name = "rtq_s\(seed)"
        let runDir = "\(root)/runs/\(name)"
        try? FileManager.default.removeItem(atPath: runDir)
        var yaml = "name: \(name)\ndata: \(dataPath)\nstorage: \(root)\nseed: \(seed)\npopulation: \(population)\n"
        if slots > 0 { yaml += "resources: {slots: \(slots)}\n" }
        let cfgPath = "\(root)/\(name).yaml"
        try AtomicFile.write(Data(yaml.utf8), to: cfgPath, createDirectories: false)
        let cfg = try RunConfig.parse(yaml: yaml, baseDirectory: root)
        let usedSlots = slots > 0 ? slots : ClientOptions.cores
        print("run-to-quality: Lorenz seed \(seed) (\(data.trialCount(.train)) train / \(data.trialCount(.valid)) valid trials × \(lorenz.bins) bins × \(data.reconNeurons) neurons), \(population) workers, \(usedSlots) slots")

        let t0 = Date()
        try VersusSingleBenchCommand.spawn(["run", "--config", cfgPath, "--no-dashboard"], log: "\(root)/\(name).log")
        let wall = Date().timeIntervalSince(t0)

        let store = cfg.store
        let s = try await openCoordinationStore(store)
        let records: [JobRecord]
        do {
            guard let r = try await s.run(named: name) else { throw ValidationError("the run '\(name)' is not in \(store)") }
            records = try await s.jobs(run: r.id, generation: nil)
        } catch { await s.close(); throw error }
        await s.close()
        let jobs = records.filter { $0.status == .done && !$0.isFinalStep }
            .compactMap { j in (try? j.result?.decode(JobOutcome.self)).map { (end: j.updatedAt, outcome: $0) } }
            .sorted { $0.end < $1.end }

        // Replay: the best model after each job, scored against the truth when it changes.
        let valid = data.valid!, truth = valid.truth!.values
        var best: JobOutcome? = nil, reached: (seconds: Double, r2: Double)? = nil
        print("\nseconds  best score   rate R² (best so far)  variance-weighted")
        for (end, o) in jobs {
            guard let score = o.score, best.map({ cfg.minimize ? score < $0.score! : score > $0.score! }) ?? true else { continue }
            best = o
            let checkpoint = o.checkpoint.hasPrefix("/") ? o.checkpoint : "\(root)/\(o.checkpoint)"   // storage-relative
            let trainer = try Trainer.resuming(from: checkpoint, dataset: data, threads: 1)
            let rates = try trainer.posteriorOutputs(valid, samples: samples).arrays["output_params"]!.values
            let r2 = try RSquared.meanOverNeurons(predicted: rates, target: truth, neurons: data.reconNeurons)
            let weighted = try RSquared.varianceWeighted(predicted: rates, target: truth, neurons: data.reconNeurons)
            let at = end.timeIntervalSince(t0)
            print(String(format: "%7.1f  %-11.6g  %.4f                 %.4f", at, score, r2, weighted))
            if reached == nil && r2 >= threshold { reached = (at, r2) }
        }
        let outputs = ((try? FileManager.default.contentsOfDirectory(atPath: runDir + "/best")) ?? []).filter { $0.hasPrefix("lfads_output_") }
        guard let file = outputs.first else { throw ValidationError("the run wrote no lfads_output_*.h5 in \(runDir)/best") }
        let final = try NLBEvaluation.evaluate(outputPath: "\(runDir)/best/\(file)", split: .valid)
        let output = try HDF5File(path: "\(runDir)/best/\(file)")
        let finalRates = try output.readFloats("valid_output_params").values
        output.close()
        let finalWeighted = try RSquared.varianceWeighted(predicted: finalRates, target: truth, neurons: data.reconNeurons)
        let trainSeconds = jobs.map(\.outcome.seconds).reduce(0, +)
        print("")
        print(reached.map { String(format: "time to rate R² ≥ %.2f: %.1f s (%.1f min; R² %.4f)", threshold, $0.seconds, $0.seconds / 60, $0.r2) }
              ?? String(format: "time to rate R² ≥ %.2f: not reached", threshold))
        print(String(format: "final model (the run's output, valid split): rate R² %@ (variance-weighted %.4f), factors → latents R² %@",
                     final.model.ratesTruthR2.map { String(format: "%.4f", $0) } ?? "-", finalWeighted,
                     final.model.factorsLatentsR2.map { String(format: "%.4f", $0) } ?? "-"))
        let busy = min(usedSlots, population)
        print(String(format: "total wall time %.1f s (%.1f min); %d jobs, %d epochs; slot utilisation %.0f %% (training seconds ÷ %d busy slots × wall)",
                     wall, wall / 60, jobs.count, jobs.map(\.outcome.epochs).reduce(0, +), 100 * trainSeconds / (Double(busy) * wall), busy))
    }
}
