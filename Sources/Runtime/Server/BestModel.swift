import Foundation
import Coordination
import PBT
import FileSystem

/// Copies the best worker-generation's files into `runs/<run>/best/`.
enum BestModel {
    static let files = ["checkpoint.bin", "hps.json", "metrics.csv", "result.json"]

    /// Runs the final step in a worker process (posterior sampling for `lfads`, `toy_output.json` for
    /// `toy`), writing into `best/`. `ranked` holds the run's worker-generations best first (non-empty);
    /// for `lfads` the job's checkpoints are the best model's copy in `best/` and then those of the next
    /// `final_ensemble − 1`, whose posterior rates the worker averages with the best model's.
    /// Returns an error text, or nil on success.
    /// - Throws: `StorageError.diskFull` when the outputs did not fit (the run stays open, so rerunning
    ///   the same command retries the step once space is freed).
    static func writeOutputs(ranked: [WorkerResult], config: RunConfig, storage: SharedStorage, executable: String,
                             log: (String) -> Void) async throws -> String? {
        do {
            let best = ranked[0]
            let dir = try storage.bestDirectory(run: config.name)
            let members = config.objective == .lfads ? Array(ranked.dropFirst().prefix(max(0, config.finalEnsemble - 1))) : []
            let checkpoints = try [dir.appendingPathComponent("checkpoint.bin").path] + members.map {
                try storage.generationDirectory(run: config.name, worker: $0.worker, generation: $0.generation)
                    .appendingPathComponent("checkpoint.bin").path
            }
            let job = WorkerJob(run: config.name, worker: best.worker, generation: best.generation, attempt: 1, epochs: 0,
                                hps: best.hyperparameters, initCheckpoints: checkpoints,
                                outputDirectory: dir.path, seed: 0, config: config, task: .posterior)
            let jobFile = dir.appendingPathComponent("posterior-job.json").path
            try job.save(path: jobFile)
            let also = members.map { "w\($0.worker)/g\($0.generation)" }.joined(separator: ", ")
            log("writing the best model's outputs (worker \(best.worker), generation \(best.generation))"
                + (members.isEmpty ? "" : "; rates to be averaged with the next \(members.count) best: \(also) (those averaged: the output file's rates_ensemble attribute)"))
            let child = try ChildProcess(executable: executable, arguments: ["worker", "--job-file", jobFile],
                                         environment: ChildEnvironment.forWorker(threads: ClientOptions.cores),
                                         logPath: dir.appendingPathComponent("posterior.log").path, ownProcessGroup: true)
            let deadline = Date().addingTimeInterval(config.finalStepTimeout)
            while child.exit == nil && Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
            if child.exit == nil {
                _ = await child.terminate(grace: 5)
                let why = "final step did not finish within faults.final_step_timeout (\(String(format: "%g", config.finalStepTimeout)) s) and was stopped; see \(child.logPath), or raise the limit"
                log("warning: \(why)")
                return why
            }
            let exit = await child.wait()
            if exit.succeeded { return nil }
            if exit == .exited(DiskFull.workerExitStatus) {
                throw StorageError.diskFull("the final step (the best model's outputs in \(dir.path); see \(child.logPath))")
            }
            let why = "final step \(exit); see \(child.logPath)"
            log("warning: \(why)")
            return why
        } catch {
            if DiskFull.describes(error) { throw error }
            log("warning: final step failed: \(error)")
            return "\(error)"
        }
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
