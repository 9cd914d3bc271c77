import Foundation
import Testing
import Coordination
@testable import Runtime

/// A short real AutoLFADS run: the LFADS trainer in worker processes on the bundled Lorenz data.
@Suite(.serialized) struct LFADSRunTests {
    @Test func smallLFADSRunOnBundledData() async throws {
        let h = try ClusterHarness(label: "lfads-run", yaml: """
            population: 2
            max_generations: 2
            posterior_samples: 2
            model: {gen_dim: 16, fac_dim: 4, ic_enc_dim: 8, ci_enc_dim: 4, con_dim: 4, co_dim: 1, ic_dim: 8, batch_size: 128}
            """, objective: "lfads")
        let p = try h.start(["run", "--config", h.configPath, "--slots", "2"], log: "run.log")
        #expect(await h.exit(of: p, timeout: 300) == .exited(0), "\(h.logs())")
        let out = try String(contentsOfFile: h.dir + "/run.log", encoding: .utf8)
        #expect(out.contains("best model: ") && out.contains(" bits/spike, rates vs truth R² "), "the run prints the best model's fit")
        let store = try await h.openStore()
        let (run, jobs, _) = try await h.snapshot(store)
        #expect(run.status == .done && jobs.count == 4 && jobs.allSatisfy { $0.status == .done }, "\(jobs)")
        // The final step is a job like them (generation −1) that a client claimed and ran.
        let final = try #require(try await h.finalStep(store))
        let finalTask = try final.payload.decode(JobPayload.self).task
        #expect(final.status == .done && final.generation == -1 && final.claimedBy?.contains("/") == true && finalTask == .posterior)
        for j in jobs {
            let o = try #require(try j.result?.decode(JobOutcome.self))
            #expect(o.score.map { $0.isFinite && $0 > 0 } == true)
            #expect(o.totalEpochs == 2 * (j.generation + 1))   // generation 1 continued a generation-0 checkpoint
        }
        let best = try SharedStorage(rootPath: h.config.storage).bestDirectory(run: h.config.name)
        #expect(FileManager.default.fileExists(atPath: best.appendingPathComponent("lfads_output_lorenz.h5").path))
        // The final step averaged the rates of the 4 worker-generations (final_ensemble 10 > 4), best first.
        let job = try WorkerJob.load(path: best.appendingPathComponent("posterior-job.json").path)
        let ranked = try await store.jobs(run: run.id, generation: nil).compactMap { j -> (Double, Int, Int)? in
            guard !j.isFinalStep, let s = try j.result?.decode(JobOutcome.self).score else { return nil }
            return (s, j.generation, j.worker)
        }.sorted { ($0.0, -$0.1, -$0.2) < ($1.0, -$1.1, -$1.2) }
        let storage = SharedStorage(rootPath: h.config.storage)
        let expected = try [best.appendingPathComponent("checkpoint.bin").path] + ranked.dropFirst().map {
            try storage.generationDirectory(run: h.config.name, worker: $0.2, generation: $0.1).appendingPathComponent("checkpoint.bin").path
        }
        #expect(job.initCheckpoints == expected)
        #expect(job.worker == ranked[0].2 && job.generation == ranked[0].1 && job.task == .posterior)
        #expect(out.contains("rates to be averaged with the next 3 best"), "\(out)")
        // …and the worker averaged all four (a wrong member path would be left out with a line here).
        let posteriorLog = try String(contentsOfFile: best.appendingPathComponent("posterior.log").path, encoding: .utf8)
        #expect(posteriorLog.contains("rates ensemble: mean posterior rates of 4 of 4 model(s)") && !posteriorLog.contains("leaving out"),
                "\(posteriorLog)")
        await store.close()
    }

    /// The final step (posterior sampling of the best model) is a job a client claims: its worker killed with
    /// SIGKILL, the client retries it like any job; killed on its last attempt too, the run says the outputs
    /// were not written and exits 3, and the same command runs the step again (a new try) and writes them.
    @Test func killedFinalStepIsRetriedThenByTheSameCommand() async throws {
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../data/lorenz_small.h5").standardizedFileURL.path
        let h = try ClusterHarness(label: "final-step", yaml: """
            data: \(data)
            population: 2
            max_generations: 1
            posterior_samples: 60
            model: {gen_dim: 16, fac_dim: 4, ic_enc_dim: 8, ci_enc_dim: 4, con_dim: 4, co_dim: 1, ic_dim: 8, batch_size: 128}
            """, objective: "lfads", faults: ClusterHarness.faults(maxAttempts: 2))
        defer { Task { await h.stopAll() } }
        let args = ["run", "--config", h.configPath, "--no-dashboard", "--slots", "2"]
        let first = try h.start(args, log: "run-1.log")
        // The run says it queues its final step just before a client claims it: wait for that line (cheap), then
        // look for the step's process under the run's clients (it lasts seconds in a debug build).
        try await h.wait("the run queues its final step", timeout: 240) {
            let log = try String(contentsOfFile: h.dir + "/run-1.log", encoding: .utf8)
            return first.exit != nil || log.contains("final-step job queued")
        }
        var killed: [Int32] = []
        let deadline = Date().addingTimeInterval(120)
        while killed.count < 2 && first.exit == nil && Date() < deadline {
            let step = TestSupport.descendantPids(of: first.pid).filter { !killed.contains($0) && TestSupport.commandLine(of: $0).contains("posterior-job.json") }
            if let pid = step.first { kill(pid, SIGKILL); killed.append(pid) }
            else { try await Task.sleep(nanoseconds: 10_000_000) }
        }
        try #require(killed.count == 2, "the final step's two attempts were not both caught running (one ended between two polls)")
        #expect(await h.exit(of: first, timeout: 60) == .exited(3), "\(h.logs())")
        let out1 = try String(contentsOfFile: h.dir + "/run-1.log", encoding: .utf8)
        #expect(out1.contains("outputs were NOT written") && out1.contains("after 2 attempt(s)") && out1.contains("SIGKILL"), "\(out1)")
        let best = try SharedStorage(rootPath: h.config.storage).bestDirectory(run: h.config.name)
        let output = best.appendingPathComponent("lfads_output_lorenz_small.h5").path
        #expect(!FileManager.default.fileExists(atPath: output))
        let store = try await h.openStore()
        let (_, _, workers) = try await h.snapshot(store)
        #expect(workers.allSatisfy { $0.status != .bad }, "a failed final step marked its worker bad: \(workers)")
        await store.close()

        let second = try h.start(args, log: "run-2.log")
        #expect(await h.exit(of: second, timeout: 120) == .exited(0), "\(h.logs())")
        let out2 = try String(contentsOfFile: h.dir + "/run-2.log", encoding: .utf8)
        #expect(out2.contains("its final step failed") && out2.contains("outputs: "), "\(out2)")
        #expect(FileManager.default.fileExists(atPath: output))
        let summary = try JSONDecoder().decode(PBTServer.Summary.self, from: Data(contentsOf: best.appendingPathComponent("summary.json")))
        #expect(summary.finalStepError == nil && summary.status == "done")
        let reopened = try await h.openStore()
        let (run, _, _) = try await h.snapshot(reopened)
        let retried = try await h.finalStep(reopened)
        #expect(run.status == .done && retried?.generation == -2 && retried?.status == .done, "\(String(describing: retried))")
        await reopened.close()
    }
}
