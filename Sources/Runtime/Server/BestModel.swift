import Foundation
import Coordination
import PBT
import FileSystem

/// The run's best model: its files copied into `runs/<run>/best/`, and the final step that writes its
/// outputs there (posterior sampling for `lfads`, `toy_output.json` for `toy`), an ordinary job in the
/// store that any client claims, runs in a worker process and retries like a training job.
enum BestModel {
    static let files = ["checkpoint.bin", "hps.json", "metrics.csv", "result.json"]

    /// The final step's `round`-th try (1-based; generation −round). `ranked` holds the run's
    /// worker-generations best first (non-empty); for `lfads` the job's checkpoints are the best model's
    /// copy in `best/` and then those of the next `final_ensemble − 1`, whose posterior rates the worker
    /// averages with the best model's. `stopReason` (why PBT ended) is kept with it, so that a restarted
    /// server finishes the run with it instead of running PBT again.
    static func finalStepJob(ranked: [WorkerResult], round: Int, planner: PopulationPlanner, stopReason: String) throws -> JobSpec {
        let config = planner.config, storage = planner.storage
        let best = ranked[0]
        let checkpoints = try [storage.relativePath(try storage.bestDirectory(run: config.name).appendingPathComponent(WorkerFiles.checkpoint))]
            + members(ranked, config: config).map { planner.checkpointRef(worker: $0.worker, generation: $0.generation) }
        let payload = JobPayload(hps: best.hyperparameters, epochs: 0, initCheckpoints: checkpoints, decision: nil, seed: 0,
                                 task: .posterior, bestGeneration: best.generation, stopReason: stopReason)
        return JobSpec(runID: planner.runID, worker: best.worker, generation: JobRecord.finalStepGeneration(round: round),
                       payload: try JSONDocument(encoding: payload), maxAttempts: config.maxAttempts)
    }

    /// What the log says when the final step is handed to the clients.
    static func describe(_ ranked: [WorkerResult], config: RunConfig) -> String {
        let best = ranked[0], members = members(ranked, config: config)
        let also = members.map { "w\($0.worker)/g\($0.generation)" }.joined(separator: ", ")
        return "writing the best model's outputs (worker \(best.worker), generation \(best.generation))"
            + (members.isEmpty ? "" : "; rates to be averaged with the next \(members.count) best: \(also) (those averaged: the output file's rates_ensemble attribute)")
    }

    /// The worker-generations whose rates are averaged with the best model's (`final_ensemble − 1` next best).
    static func members(_ ranked: [WorkerResult], config: RunConfig) -> [WorkerResult] {
        config.objective == .lfads ? Array(ranked.dropFirst().prefix(max(0, config.finalEnsemble - 1))) : []
    }

    static func export(best: WorkerResult, planner: PopulationPlanner, storage: SharedStorage, run: String) throws {
        let src = try storage.generationDirectory(run: run, worker: best.worker, generation: best.generation)
        let dst = try storage.bestDirectory(run: run)
        try FileManager.default.createDirectory(at: dst, withIntermediateDirectories: true)
        for f in files {
            guard let data = FileManager.default.contents(atPath: src.appendingPathComponent(f).path) else { continue }
            try AtomicFile.write(data, to: dst.appendingPathComponent(f))
        }
    }
}
