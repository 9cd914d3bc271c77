import Foundation
import Testing
import Coordination
@testable import Runtime

/// Real `autolfads run`s with command-line overrides and with the random / grid baselines (toy objective).
@Suite(.serialized) struct BaselineSearchRunTests {
    /// The overrides reach the server (population, mode, generations in the store) and the workers
    /// (`toy.step=0`: no worker moves, so every score is the untrained |θ|² = 2 × 0.9²); the resolved
    /// config is in the run directory and `status --show-config`; a resumed run keeps its stored config.
    @Test func overridesReachServerAndWorkersAndTheStoredConfigWinsOnResume() async throws {
        let h = try ClusterHarness(label: "ovr-run", yaml: "population: 2\nmax_generations: 3\n")
        let args = ["run", h.configPath, "--no-dashboard", "--slots", "3",
                    "population=3", "pbt.mode=async", "max_generations=2", "toy.step=0", "toy.epoch_seconds=0.01"]
        let p = try h.start(args, log: "run.log")
        #expect(await h.exit(of: p) == .exited(0), "\(h.logs())")
        let store = try await h.openStore()
        let (run, jobs, workers) = try await h.snapshot(store)
        let stored = try run.config.decode(RunConfig.self)
        #expect(stored.population == 3 && stored.mode == .async && stored.maxGenerations == 2 && stored.toy.step == 0)
        #expect(workers.count == 3 && jobs.count == 6 && jobs.allSatisfy { $0.status == .done })
        for j in jobs {
            let o = try #require(try j.result?.decode(JobOutcome.self))
            #expect(o.score.map { abs($0 - 1.62) < 1e-12 } == true, "w\(j.worker) g\(j.generation): \(String(describing: o.score))")
        }
        let resolvedPath = h.config.runDirectory + "/" + RunConfig.resolvedFileName
        let resolved = try RunConfig.load(path: resolvedPath)
        #expect(resolved == stored)

        let status = try h.start(["status", "--config", h.configPath, "--show-config"], log: "status.log")
        #expect(await h.exit(of: status) == .exited(0))
        let shown = try String(contentsOfFile: h.dir + "/status.log", encoding: .utf8)
        #expect(try RunConfig.parse(yaml: shown) == stored, "\(shown)")
        #expect(shown.contains("population: 3") && shown.contains("mode: async"))

        // The same run again with a conflicting override: it resumes (already finished) with the stored config.
        let again = try h.start(["run", h.configPath, "--no-dashboard", "population=5", "pbt.mode=async", "max_generations=2", "toy.step=0"], log: "run-2.log")
        #expect(await h.exit(of: again) == .exited(0), "\(h.logs())")
        let out = try String(contentsOfFile: h.dir + "/run-2.log", encoding: .utf8)
        #expect(out.contains("resuming it with its stored config, which wins over the given one (differs in population: stored 3, given 5"), "\(out)")
        #expect(try await store.workers(run: run.id).count == 3)
        #expect(try RunConfig.load(path: resolvedPath).population == 3)
        await store.close()
    }

    /// Random search finishes with its report: every decision keeps, every worker trains its initial
    /// HPs throughout, and the report labels the mode.
    @Test(arguments: ["random", "grid"]) func baselineRunFinishesWithItsReport(mode: String) async throws {
        let h = try ClusterHarness(label: "baseline-\(mode)", yaml: """
            population: 4
            max_generations: 3
            pbt: {mode: \(mode), exploit: truncation}
            toy: {epoch_seconds: 0.01}
            """)
        let p = try h.start(["run", "--config", h.configPath, "--slots", "2", "--dashboard-port", "0"], log: "run.log")
        #expect(await h.exit(of: p) == .exited(0), "\(h.logs())")
        let store = try await h.openStore()
        let jobs = try await h.expectCompleteRun(store, workers: 4, generations: 3)
        let st = SharedStorage(rootPath: h.config.storage)
        let decisions = try CSVLog.read(try st.decisionsCSV(run: h.config.name))
        let header = try #require(decisions.first)
        let action = try #require(header.firstIndex(of: "action"))
        #expect(decisions.dropFirst().allSatisfy { $0[action] == "keep" }, "\(decisions)")
        let workers = try await h.snapshot(store).2
        #expect(workers.allSatisfy { $0.parent == nil })
        var hps: [Int: Set<[String: Double]>] = [:]
        for j in jobs { hps[j.worker, default: []].insert(try j.payload.decode(JobPayload.self).hps) }
        #expect(hps.values.allSatisfy { $0.count == 1 }, "each worker keeps its initial hyperparameters")
        if mode == "grid" {   // 2 toy HPs, 4 workers: the 2 × 2 grid {0, 1}²
            #expect(Set(hps.values.map { $0.first! }) == [["h0": 0, "h1": 0], ["h0": 0, "h1": 1], ["h0": 1, "h1": 0], ["h0": 1, "h1": 1]])
        }
        let html = try String(contentsOfFile: h.config.runDirectory + "/report.html", encoding: .utf8)
        #expect(html.contains("\(mode) search (no exploit/explore)"))
        #expect(FileManager.default.fileExists(atPath: h.config.runDirectory + "/report-figures/scores.svg"))
        let out = try String(contentsOfFile: h.dir + "/run.log", encoding: .utf8)
        #expect(out.contains("\(mode) search (no exploit/explore)") && out.contains("best: worker"), "\(out)")
        await store.close()
    }
}
