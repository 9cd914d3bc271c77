import Foundation
import Testing
import Coordination
@testable import Runtime

/// A run on a real PostgreSQL server, including a database outage mid-run.
@Suite(.serialized) struct PostgresRunTests {
    @Test func runSurvivesAPostgresOutage() async throws {
        let pg = try await LocalPostgres()
        defer { pg.destroy() }
        let h = try ClusterHarness(label: "pg-run", yaml: """
            population: 4
            max_generations: 4
            toy: {epoch_seconds: 0.6}
            """, store: pg.url, faults: "{heartbeat_interval: 0.5, heartbeat_timeout: 15, max_attempts: 3}")
        defer { Task { await h.stopAll() } }
        let server = try h.startServer()
        let store = try await h.openStore()
        try await h.wait("run created") { try await store.run(named: h.config.name) != nil }
        let a = try h.startClient(slots: 2, log: "client-a.log"), b = try h.startClient(slots: 2, log: "client-b.log")
        // 1.2 s jobs: the run lasts ≈ 5 s after generation 1, so a loaded machine still stops the
        // database mid-run even when this poll notices generation 1 late.
        try await h.wait("generation 1 reached") { try await h.snapshot(store).0.generation >= 1 }
        let doneBefore = try await h.snapshot(store).1.filter { $0.status == .done }.count
        try await pg.stop()
        // A job stamped after the server is down was committed after it came back; the moment `start` returns
        // is no bound: under load the clients reconnect before its readiness poll ends.
        let stopped = Date()
        try await Task.sleep(nanoseconds: 3_000_000_000)
        try await pg.start()
        #expect(await h.exit(of: server, timeout: 120) == .exited(0), "\(h.logs())")
        #expect(await h.exit(of: a, timeout: 60) == .exited(0))
        #expect(await h.exit(of: b, timeout: 60) == .exited(0))
        let jobs = try await h.expectCompleteRun(store, workers: 4, generations: 4)
        // The outage hit a run in progress, and work was completed after the database came back.
        #expect(doneBefore < 16)
        #expect(jobs.filter { $0.updatedAt >= stopped }.count >= 16 - doneBefore - 4)
        await store.close()
    }
}
