import Foundation
import Testing
import Coordination
@testable import Runtime

/// Full runs with real processes on a SQLite store (toy objective, short epochs).
@Suite(.serialized) struct EndToEndTests {
    @Test func syncRunWithTwoClientProcesses() async throws {
        let h = try ClusterHarness(label: "e2e-sync", yaml: "population: 4\nmax_generations: 3\ntoy: {epoch_seconds: 0.02}\n")
        defer { Task { await h.stopAll() } }
        let server = try h.startServer()
        let store = try await h.openStore()
        try await h.wait("run created") { try await store.run(named: h.config.name) != nil }
        let a = try h.startClient(slots: 2, log: "client-a.log"), b = try h.startClient(slots: 2, log: "client-b.log")
        #expect(await h.exit(of: server) == .exited(0), "\(h.logs())")
        #expect(await h.exit(of: a, timeout: 20) == .exited(0))
        #expect(await h.exit(of: b, timeout: 20) == .exited(0))
        let jobs = try await h.expectCompleteRun(store, workers: 4, generations: 3)
        // Both clients did work, and the workers' checkpoints carry the lineage's epochs.
        let processes = try await store.processes()
        let byClient = Dictionary(grouping: jobs.compactMap(\.claimedBy)) { id in processes.first { $0.id == id }?.clientID ?? id }
        #expect(byClient.count == 2, "jobs per client: \(byClient.mapValues(\.count))")
        for j in jobs where j.generation == 2 {
            let r = try #require(try j.result?.decode(JobOutcome.self))
            #expect(r.totalEpochs == 6)
        }
        #expect(processes.filter { byClient.keys.contains($0.clientID) }.allSatisfy { $0.status == .exited })
        await store.close()
    }

    @Test func asyncRunFinishesEveryWorkerGeneration() async throws {
        let h = try ClusterHarness(label: "e2e-async", yaml: """
            population: 4
            max_generations: 3
            pbt: {mode: async}
            toy: {epoch_seconds: 0.02, epoch_seconds_spread: 0.5}
            """)
        defer { Task { await h.stopAll() } }
        let server = try h.startServer()
        let store = try await h.openStore()
        try await h.wait("run created") { try await store.run(named: h.config.name) != nil }
        // A client not tied to a run: it exits after the idle timeout once the work is gone.
        let c = try h.start(["client", "--store", h.config.store, "--slots", "3", "--idle-timeout", "1.5"], log: "client.log")
        #expect(await h.exit(of: server) == .exited(0), "\(h.logs())")
        #expect(await h.exit(of: c, timeout: 20) == .exited(0))
        _ = try await h.expectCompleteRun(store, workers: 4, generations: 3)
        await store.close()
    }

    @Test(arguments: ["sync", "async"]) func stallingRunStopsEarly(mode: String) async throws {
        let h = try ClusterHarness(label: "e2e-stall-\(mode)", yaml: """
            population: 3
            max_generations: 12
            pbt: {mode: \(mode)}
            toy: {step: 0}
            """)
        let text = try String(contentsOfFile: h.configPath, encoding: .utf8)
        try text.replacingOccurrences(of: "stopping: {enabled: false}", with: "stopping: {enabled: true, patience: 3, min_change: 1.0e-4}")
            .write(toFile: h.configPath, atomically: true, encoding: .utf8)
        let p = try h.start(["run", "--config", h.configPath, "--slots", "3"], log: "run.log")
        #expect(await h.exit(of: p) == .exited(0), "\(h.logs())")
        let store = try await h.openStore()
        let (run, jobs, _) = try await h.snapshot(store)
        #expect(run.status == .done)
        #expect(jobs.allSatisfy { $0.status == .done })
        let gens = Set(jobs.map(\.generation))
        #expect(gens.count >= 3 && gens.count < 12, "generations trained: \(gens.sorted())")
        let out = try String(contentsOfFile: h.dir + "/run.log", encoding: .utf8)
        #expect(out.contains("no improvement"))
        await store.close()
    }

    @Test func runCommandWorksInOneCommand() async throws {
        let h = try ClusterHarness(label: "e2e-run", yaml: "population: 3\nmax_generations: 2\n")
        let p = try h.start(["run", "--config", h.configPath, "--slots", "2", "--clients", "2"], log: "run.log")
        #expect(await h.exit(of: p) == .exited(0), "\(h.logs())")
        let out = try String(contentsOfFile: h.dir + "/run.log", encoding: .utf8)
        #expect(out.contains("best: worker") && out.contains("outputs:"))
        let store = try await h.openStore()
        _ = try await h.expectCompleteRun(store, workers: 3, generations: 2)
        let status = try h.start(["status", "--config", h.configPath], log: "status.log")
        #expect(await h.exit(of: status) == .exited(0))
        let text = try String(contentsOfFile: h.dir + "/status.log", encoding: .utf8)
        #expect(text.contains("run e2e-run: done") && text.contains("jobs: queued 0, claimed 0, done 6, failed 0"), "\(text)")
        await store.close()
    }
}
