import FileSystem
import Foundation

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
        case .toy: var o = try ToyGeneration(job: job, started: started, log: log); return try train(&o, job: job, started: started, log: log)
        case .lfads where job.task == .posterior: return try LFADSObjective.outputs(job: job, started: started, log: log)
        case .lfads: var o = try LFADSGeneration(job: job); return try train(&o, job: job, started: started, log: log)
        }
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
        ParentWatch.onExit(checkEvery: seconds) { StandardStreams.writeError("parent process died; worker exits\n"); _exit(3) }
    }
}
