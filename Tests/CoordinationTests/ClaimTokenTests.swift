import Foundation
import Testing
@testable import Coordination

/// A claim that commits but whose answer never reaches the client (lost reply, caller's deadline,
/// retried call) never leaves a job claimed forever: a retry with the same token gets the same job,
/// heartbeats renew only the claims the client lists, and an orphaned claim is reaped and re-queued.
/// Faults are injected between the claim's COMMIT and its reply, on both real backends.
@Suite struct ClaimTokenTests {
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    struct InjectedFault: Error {}

    static func faults(_ store: any CoordinationStore) throws -> StoreFaults {
        if let s = store as? SQLiteStore { return s.faults }
        if let s = store as? PostgresStore { return s.faults }
        throw InjectedFault()
    }

    /// Fails the next `n` claim replies with `error` (after the claim committed).
    static func loseReplies(_ store: any CoordinationStore, _ n: Int, with error: @escaping @Sendable () -> Error) throws {
        let left = Counter(n)
        try faults(store).setAfterClaimCommit { if left.take() { throw error() } }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n: Int
        init(_ n: Int) { self.n = n }
        func take() -> Bool { lock.lock(); defer { lock.unlock() }; if n > 0 { n -= 1; return true }; return false }
    }

    @Test(arguments: Backend.allCases)
    func aRetriedClaimWithTheSameTokenGetsTheSameJob(backend: Backend) async throws {
        let (store, _) = try await backend.openFresh()
        defer { Task { await store.close() } }
        let f = try await Fixture.make(store, workers: 3)
        try await register(store, "p", now: t0)
        try Self.loseReplies(store, 1) { InjectedFault() }
        await #expect(throws: (any Error).self) {
            try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, token: "T1", now: t0)
        }
        #expect(try await store.job(id: f.jobIDs[0])?.status == .claimed, "the claim committed before its reply was lost")
        let retried = try #require(try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, token: "T1", now: t0 + 1))
        #expect(retried.job.id == f.jobIDs[0] && retried.job.attempts == 1 && retried.claim.token == "T1")
        #expect(try await store.job(id: f.jobIDs[1])?.status == .queued, "no second job was taken")
        // A new token is a new claim; the same token from another process is not this claim.
        #expect(try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, token: "T2", now: t0 + 2)?.job.id == f.jobIDs[1])
        try await register(store, "q", now: t0)
        #expect(try await store.claimJob(process: "q", leaseSeconds: 10, run: nil, token: "T1", now: t0 + 3)?.job.id == f.jobIDs[2])
        #expect(try await store.completeJob(retried.claim, result: JSONDocument(text: "{}"), now: t0 + 4) == .accepted)
    }

    @Test(arguments: Backend.allCases)
    func anOrphanedClaimIsReapedAndRequeuedWithoutUsingAnAttempt(backend: Backend) async throws {
        let (store, _) = try await backend.openFresh()
        defer { Task { await store.close() } }
        let f = try await Fixture.make(store, workers: 2, maxAttempts: 1)
        try await register(store, "p", now: t0)
        try Self.loseReplies(store, 1) { InjectedFault() }
        _ = try? await store.claimJob(process: "p", leaseSeconds: 10, run: nil, token: "lost", now: t0)   // the client gives up
        let held = try #require(try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, token: "kept", now: t0))
        #expect(held.job.id == f.jobIDs[1])
        // The client keeps beating for the claim it knows; the orphan's lease is not renewed.
        for t in stride(from: 3.0, through: 12, by: 3) {
            let hb = try await store.heartbeat(process: "p", holding: [held.claim], now: t0 + t)
            #expect(hb.heldJobs == [f.jobIDs[1]])
        }
        let report = try await store.reapExpired(now: t0 + 12, heartbeatTimeout: 30)
        #expect(report == ReapReport(requeuedJobs: [f.jobIDs[0]]), "\(report)")
        let orphan = try #require(try await store.job(id: f.jobIDs[0]))
        #expect(orphan.status == .queued && orphan.attempts == 0 && orphan.claimedBy == nil && orphan.claimToken == nil)
        #expect(orphan.error?.contains("never taken up") == true, "\(orphan.error ?? "")")
        #expect(try await store.workers(run: f.run.id).allSatisfy { $0.status != .bad }, "max_attempts 1 and still not bad")
        #expect(try await store.job(id: f.jobIDs[1])?.status == .claimed, "the held claim stays")
        // Someone takes it up and finishes it.
        try await register(store, "q", now: t0 + 12)
        let taken = try #require(try await store.claimJob(process: "q", leaseSeconds: 10, run: nil, token: "q1", now: t0 + 13))
        #expect(taken.job.id == f.jobIDs[0] && taken.job.attempts == 1)
        #expect(try await store.completeJob(taken.claim, result: JSONDocument(text: "{}"), now: t0 + 14) == .accepted)
    }

    @Test(arguments: Backend.allCases)
    func aClaimAnsweredAfterTheCallerGaveUpIsReaped(backend: Backend) async throws {
        let (store, _) = try await backend.openFresh()
        defer { Task { await store.close() } }
        let f = try await Fixture.make(store, workers: 1)
        try await register(store, "p", now: t0)
        let (committed, signal) = AsyncStream<Void>.makeStream()
        try Self.faults(store).setAfterClaimCommit {
            signal.yield(())
            try await Task.sleep(nanoseconds: 1_500_000_000)   // the reply would arrive after the caller's deadline
        }
        let call = Task { try await store.claimJob(process: "p", leaseSeconds: 5, run: nil, token: "slow", now: t0) }
        // The claim has committed and its reply is late: the caller gives up now (as `DeadlineStore` does at
        // its deadline), forgetting the token. (A fixed 0.2 s wait here cancelled the claim before its commit
        // on a loaded machine, and nothing was ever claimed.)
        var commits = committed.makeAsyncIterator()
        _ = await commits.next()
        call.cancel()
        try Self.faults(store).setAfterClaimCommit(nil)
        // Wait until the claim has committed in the store (it does, whatever the caller did).
        let deadline = Date().addingTimeInterval(20)
        while try await store.job(id: f.jobIDs[0])?.status != .claimed && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        #expect(try await store.job(id: f.jobIDs[0])?.status == .claimed)
        // The client lives on and beats without the claim it gave up on (more than half a lease after it).
        _ = try await store.heartbeat(process: "p", holding: [], now: t0 + 3)
        #expect(try await store.reapExpired(now: t0 + 4, heartbeatTimeout: 30) == ReapReport(), "the lease is still running")
        #expect(try await store.reapExpired(now: t0 + 6, heartbeatTimeout: 30).requeuedJobs == [f.jobIDs[0]])
        #expect(try await store.job(id: f.jobIDs[0])?.attempts == 0)
    }

    /// A heartbeat composed before a claim's reply arrived can commit just after the claim without listing
    /// it; a client frozen or cut off right then has not shown that it never got the reply, so the expired
    /// claim uses up its attempt (as `FaultInjectionTests` and the multi-host check freeze or cut clients).
    @Test(arguments: Backend.allCases)
    func aHeartbeatRightAfterTheClaimDoesNotMakeItAnOrphan(backend: Backend) async throws {
        let (store, _) = try await backend.openFresh()
        defer { Task { await store.close() } }
        let f = try await Fixture.make(store, workers: 1)
        try await register(store, "p", now: t0)
        _ = try #require(try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, token: "t", now: t0))
        _ = try await store.heartbeat(process: "p", holding: [], now: t0 + 0.01)
        #expect(try await store.reapExpired(now: t0 + 11, heartbeatTimeout: 30).requeuedJobs == [f.jobIDs[0]])
        let job = try #require(try await store.job(id: f.jobIDs[0]))
        #expect(job.status == .queued && job.attempts == 1 && job.error?.contains("expired") == true, "\(job.error ?? "")")
    }

    @Test func postgresRetriesALostReplyAndGetsTheClaimItMade() async throws {
        let (store, _) = try await Backend.postgres.openFresh()
        defer { Task { await store.close() } }
        let f = try await Fixture.make(store, workers: 2)
        try await register(store, "p", now: t0)
        // LostReply counts as a dropped connection: the store's own retry runs the claim again.
        try Self.loseReplies(store, 2) { StoreFaults.LostReply() }
        let c = try #require(try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, token: "T", now: t0))
        #expect(c.job.id == f.jobIDs[0] && c.job.attempts == 1)
        let jobs = try await store.jobs(run: f.run.id, generation: 0)
        #expect(jobs.map(\.status) == [.claimed, .queued], "one claim, not three")
    }

    @Test func anOlderStoreMigratesAndItsClaimsExpireNormally() async throws {
        // A version-2 store (before claim tokens) with a claimed job opens, migrates, and the old claim
        // (no token, never renewed by a new client) is reaped like an orphan.
        let dir = TempDir.make()
        let url = "sqlite://" + dir.appendingPathComponent("old.db").path
        let store = try await openCoordinationStore(url, environment: [:])
        let f = try await Fixture.make(store, workers: 1)
        try await register(store, "p", now: t0)
        _ = try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, token: "x", now: t0)
        let sqlite = try #require(store as? SQLiteStore)
        try await sqlite.write { db in
            // Back to the v2 layout: drop migration 3's index and columns and its version row.
            try db.execute(sql: "DROP INDEX jobs_claim_token")
            try db.execute(sql: "ALTER TABLE jobs DROP COLUMN claim_token")
            try db.execute(sql: "ALTER TABLE jobs DROP COLUMN claim_renewed")
            try db.execute(sql: "DELETE FROM schema_version WHERE version = 3")
            // and migration 4's column (processes.threads).
            try db.execute(sql: "ALTER TABLE processes DROP COLUMN threads")
            try db.execute(sql: "DELETE FROM schema_version WHERE version = 4")
            // and migration 5's index.
            try db.execute(sql: "DROP INDEX jobs_run_generation")
            try db.execute(sql: "DELETE FROM schema_version WHERE version = 5")
        }
        await store.close()
        let reopened = try await openCoordinationStore(url, environment: [:])
        defer { Task { await reopened.close() } }
        #expect(try await reopened.schemaVersion() == Schema.latestVersion && Schema.latestVersion == 5)
        #expect(try await reopened.processes().map(\.threads) == [0], "the migrated process row reads threads 0 (not reported)")
        let job = try #require(try await reopened.job(id: f.jobIDs[0]))
        #expect(job.status == .claimed && job.claimToken == nil)
        #expect(try await reopened.reapExpired(now: t0 + 11, heartbeatTimeout: 30).requeuedJobs == [f.jobIDs[0]])
    }
}
