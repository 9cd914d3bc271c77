import Foundation
import Testing
import Coordination
@testable import Runtime

/// A short real AutoLFADS run: the LFADS trainer in worker processes on the bundled Lorenz data.
@Suite(.serialized) struct LFADSRunTests {
    @Test(.enabled(if: WorkerRunner.lfadsObjectiveAvailable)) func smallLFADSRunOnBundledData() async throws {
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
        #expect(run.status == .done && jobs.count == 4 && jobs.allSatisfy { $0.status == .done })
        for j in jobs {
            let o = try #require(try j.result?.decode(JobOutcome.self))
            #expect(o.score.map { $0.isFinite && $0 > 0 } == true)
            #expect(o.totalEpochs == 2 * (j.generation + 1))   // generation 1 continued a generation-0 checkpoint
        }
        let best = try SharedStorage(rootPath: h.config.storage).bestDirectory(run: h.config.name)
        #expect(FileManager.default.fileExists(atPath: best.appendingPathComponent("lfads_output_lorenz.h5").path))
        await store.close()
    }
}
