import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs one job inside the worker process (`autolfads worker`): loads the first valid starting
/// checkpoint, trains, writes checkpoint/hps/metrics, and finally `result.json` (its presence
/// means success).
public enum WorkerRunner {
    /// Trains `job` and writes its outputs; throws with a one-line reason on failure.
    public static func run(job: WorkerJob, log: (String) -> Void = { print($0) }) throws -> JobOutcome {
        let started = Date()
        let out = job.outputDirectory
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        log("worker \(job.worker) generation \(job.generation) attempt \(job.attempt): \(job.epochs) epochs, hps \(formatHPs(job.hps))")
        switch job.config.objective {
        case .toy where job.task == .posterior: return try toyOutputs(job: job, started: started, log: log)
        case .toy: return try runToy(job: job, started: started, log: log)
        case .lfads where job.task == .posterior: return try LFADSObjective.outputs(job: job, started: started, log: log)
        case .lfads: return try LFADSObjective.train(job: job, started: started, log: log)
        }
    }

    static func runToy(job: WorkerJob, started: Date, log: (String) -> Void) throws -> JobOutcome {
        let cfg = job.config, toy = cfg.toy
        if toy.crashWorkers.contains(job.worker) || (toy.crashFirstAttemptWorkers.contains(job.worker) && job.attempt == 1) {
            log("toy fault injection: crashing (abort)")
            fflush(stdout)
            abort()
        }
        var rejected: [String] = []
        var startedFrom: String?
        var state = ToyObjective.initial(dimension: cfg.searchSpace.count)
        for path in job.initCheckpoints {
            do { state = try ToyCheckpoint.read(path); startedFrom = path; break }
            catch { log("rejected starting checkpoint: \(error)"); rejected.append(path) }
        }
        if startedFrom == nil && !job.initCheckpoints.isEmpty { log("no valid starting checkpoint; starting fresh") }
        let h = ToyObjective.normalised(job.hps, space: cfg.searchSpace)
        var rows = ["epoch,score,seconds"]
        var events: [WorkerEvents.Step] = []
        for _ in 0..<job.epochs {
            let pause = toy.epochSeconds(worker: job.worker)
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
            ToyObjective.step(&state, h: h, step: toy.step)
            let s = ToyObjective.score(state, minimize: cfg.minimize)
            rows.append("\(state.epochs),\(s),\(String(format: "%.3f", Date().timeIntervalSince(started)))")
            events.append((state.epochs, Date().timeIntervalSince1970, [("train/score", s)]))
        }
        var score: Double? = ToyObjective.score(state, minimize: cfg.minimize)
        if toy.nanWorkers.contains(job.worker) { score = nil; log("toy fault injection: score is NaN") }
        let ckpt = (job.outputDirectory as NSString).appendingPathComponent(WorkerFiles.checkpoint)
        try ToyCheckpoint.write(state, to: ckpt)
        try FileIO.writeJSON(job.hps, to: (job.outputDirectory as NSString).appendingPathComponent(WorkerFiles.hps))
        try FileIO.write(Data((rows.joined(separator: "\n") + "\n").utf8),
                             to: (job.outputDirectory as NSString).appendingPathComponent(WorkerFiles.metrics))
        try WorkerEvents.write(job: job, epochs: events, score: score, metricTag: "pbt/score")
        let result = JobOutcome(score: score, epochs: job.epochs, totalEpochs: state.epochs,
                                  seconds: Date().timeIntervalSince(started), startedFrom: startedFrom,
                                  rejectedCheckpoints: rejected, checkpoint: ckpt)
        try FileIO.writeJSON(result, to: (job.outputDirectory as NSString).appendingPathComponent(WorkerFiles.result))
        log("done: score \(score.map { String($0) } ?? "NaN") after \(state.epochs) epochs in total")
        return result
    }

    /// Toy "posterior outputs": the final θ and score, as `toy_output.json` in the output directory.
    static func toyOutputs(job: WorkerJob, started: Date, log: (String) -> Void) throws -> JobOutcome {
        guard let path = job.initCheckpoints.first else { throw RuntimeError("posterior job without a checkpoint") }
        let state = try ToyCheckpoint.read(path)
        let score = ToyObjective.score(state, minimize: job.config.minimize)
        if let s = job.config.toy.posteriorSeconds, s > 0 { Thread.sleep(forTimeInterval: s) }
        try FileIO.writeJSON(["theta": state.theta, "score": [score]],
                             to: (job.outputDirectory as NSString).appendingPathComponent("toy_output.json"))
        log("wrote toy outputs for worker \(job.worker) generation \(job.generation)")
        return JobOutcome(score: score, epochs: 0, totalEpochs: state.epochs, seconds: Date().timeIntervalSince(started),
                          startedFrom: path, rejectedCheckpoints: [], checkpoint: path)
    }

    static func formatHPs(_ hps: [String: Double]) -> String {
        hps.keys.sorted().map { "\($0)=\(String(format: "%.4g", hps[$0]!))" }.joined(separator: " ")
    }

    /// Exits this process if its parent dies (so an orphaned worker never races the retry of its job).
    public static func exitWhenParentDies(checkEvery seconds: Double = 0.5) {
        ParentWatch.onExit(checkEvery: seconds) { fputs("parent process died; worker exits\n", stderr); _exit(3) }
    }
}
