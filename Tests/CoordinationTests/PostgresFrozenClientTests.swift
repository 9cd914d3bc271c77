import Foundation
import PostgresNIO
import Testing
@testable import Coordination

/// A client that freezes (or is cut off the network) inside an open transaction holds row locks; the
/// server must end its session so that the others, above all the lease reaper, are not blocked for
/// hours. Found by `scripts/test-multihost`, whose cut of a client could land mid-heartbeat.
@Suite struct PostgresFrozenClientTests {
    /// Locks the process row and the job row the way a heartbeat does, then never finishes (a frozen machine).
    /// Returns once the locks are held; the transaction would end after `seconds`.
    static func freezeInsideTransaction(_ store: PostgresStore, process: String, job: Int64, seconds: Double) async throws -> Task<Void, Never> {
        let (locked, signal) = AsyncStream<Void>.makeStream()
        let task = Task {
            _ = try? await store.client.withTransaction(logger: store.logger) { conn in
                try await conn.query("UPDATE processes SET last_heartbeat = last_heartbeat WHERE id = \(process)", logger: store.logger)
                try await conn.query("UPDATE jobs SET lease_expires = lease_expires WHERE id = \(job)", logger: store.logger)
                signal.yield()
                try await Task.sleep(for: .seconds(seconds))
            }
            signal.finish()
        }
        for await _ in locked { break }
        return task
    }

    static func settings(_ url: String, idleTransactionTimeout: Double?) throws -> PostgresSettings {
        guard case .postgres(var s) = try StoreLocation.parse(url, environment: [:]) else { throw StoreError.badURL(url) }
        s.idleTransactionTimeout = idleTransactionTimeout
        return s
    }

    @Test func reaperIsNotBlockedByAClientFrozenMidTransaction() async throws {
        let url = try await PostgresTestServer.shared.value.makeDatabase()
        let frozen = try await PostgresStore(config: try Self.settings(url, idleTransactionTimeout: 3))
        let server = try await PostgresStore(config: try Self.settings(url, idleTransactionTimeout: 10))
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        let f = try await Fixture.make(server, workers: 1)
        try await register(server, "p", now: t0)
        _ = try #require(try await server.claimJob(process: "p", leaseSeconds: 5, run: nil, now: t0))
        let freeze = try await Self.freezeInsideTransaction(frozen, process: "p", job: f.jobIDs[0], seconds: 120)
        defer { freeze.cancel() }

        let start = Date()
        let report = try await server.reapExpired(now: t0 + 100, heartbeatTimeout: 4)
        let waited = Date().timeIntervalSince(start)
        #expect(report.deadProcesses == ["p"])
        #expect(report.requeuedJobs == [f.jobIDs[0]])
        // Bounds with slack for a loaded machine: without the limit the reaper's tries time out (15 s each, then an
        // error) or it waits out the whole 120 s freeze.
        #expect(waited >= 1, "the reaper did not wait for the lock (\(waited) s): the freeze held nothing")
        #expect(waited < 60, "the reaper waited \(waited) s for the frozen client's locks")
        #expect(try await server.jobs(run: f.run.id, generation: 0).map(\.status) == [.queued])
        // The client that froze carries on once it wakes: its ended session is replaced.
        freeze.cancel()
        #expect(try await frozen.processes().map(\.id) == ["p"])
        await frozen.close(); await server.close()
    }

    /// Negative control: without the limit the reaper waits as long as the frozen client holds its locks.
    @Test func withoutTheLimitTheReaperWaitsOutTheFreeze() async throws {
        let url = try await PostgresTestServer.shared.value.makeDatabase()
        let frozen = try await PostgresStore(config: try Self.settings(url, idleTransactionTimeout: nil))
        let server = try await PostgresStore(config: try Self.settings(url, idleTransactionTimeout: nil))
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        let f = try await Fixture.make(server, workers: 1)
        try await register(server, "p", now: t0)
        _ = try #require(try await server.claimJob(process: "p", leaseSeconds: 5, run: nil, now: t0))
        let freeze = try await Self.freezeInsideTransaction(frozen, process: "p", job: f.jobIDs[0], seconds: 6)
        let start = Date()
        defer { freeze.cancel() }
        let report = try await server.reapExpired(now: t0 + 100, heartbeatTimeout: 4)
        let waited = Date().timeIntervalSince(start)
        #expect(report.requeuedJobs == [f.jobIDs[0]])
        #expect(waited >= 5, "the reaper got past the frozen client's locks after \(waited) s without the limit")
        await frozen.close(); await server.close()
    }

    @Test func sessionParametersCarryTheLimitAndKeepalives() throws {
        var s = PostgresSettings(host: "h", user: "u", database: "d")
        let names = { (p: [(String, String)]) in Dictionary(uniqueKeysWithValues: p) }
        #expect(names(PostgresStore.sessionParameters(s))["idle_in_transaction_session_timeout"] == "10000")
        #expect(names(PostgresStore.sessionParameters(s))["tcp_keepalives_idle"] == "15")
        s.idleTransactionTimeout = nil
        #expect(names(PostgresStore.sessionParameters(s))["idle_in_transaction_session_timeout"] == nil)
    }
}
