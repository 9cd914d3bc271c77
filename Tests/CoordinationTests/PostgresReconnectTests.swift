import Foundation
import Testing
@testable import Coordination

/// Connection loss on the real server: stop PostgreSQL mid-test, restart it a few seconds later.
@Suite struct PostgresReconnectTests {
    @Test func operationInFlightSucceedsAfterServerRestart() async throws {
        let server = try await PostgresTestServer.make()
        defer { server.destroy() }
        let retry = RetryPolicy(maxAttempts: 40, initialDelay: 0.05, multiplier: 2, maxDelay: 0.5)
        let store = try await openCoordinationStore(server.url, environment: [:], retry: retry)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        let f = try await Fixture.make(store, workers: 3)
        try await register(store, "p", now: t0)
        let first = try #require(try await store.claimJob(process: "p", leaseSeconds: 30, run: nil, now: t0))
        #expect(first.job.id == f.jobIDs[0])

        try await server.stop()
        // Issued while the server is down: it must wait/retry, not fail.
        let inFlight = Task { try await store.claimJob(process: "p", leaseSeconds: 30, run: nil, now: t0) }
        try await Task.sleep(nanoseconds: 3_000_000_000)
        try await server.start()
        let claimed = try await inFlight.value
        #expect(claimed?.job.id == f.jobIDs[1])
        // The pool is healthy again for later operations, and nothing was claimed twice.
        let held = [first.claim] + (claimed.map { [$0.claim] } ?? [])
        #expect(try await store.heartbeat(process: "p", holding: held, now: t0 + 1).heldJobs == [f.jobIDs[0], f.jobIDs[1]])
        let jobs = try await store.jobs(run: f.run.id, generation: 0)
        #expect(jobs.map(\.status) == [.claimed, .claimed, .queued])
        await store.close()
    }

    @Test func unreachableServerGivesOneLineErrorWithoutPassword() async throws {
        // Nothing listens on port 1; the password must never appear in the error.
        let env = ["AUTOLFADS_DB_PASSWORD": "s3cret-pw"]
        let retries = Lines()
        do {
            let store = try await openCoordinationStore("postgres://bob@127.0.0.1:1/db?sslmode=disable", environment: env,
                                                        retry: RetryPolicy(maxAttempts: 2, initialDelay: 0.01, attemptTimeout: 20, maxElapsed: 1e9),
                                                        onRetry: { retries.append($0) })
            await store.close()
            Issue.record("connected to nothing")
        } catch {
            let text = "\(error)"
            #expect(!text.contains("s3cret-pw"))
            #expect(!text.contains("\n"))
            #expect(text.contains("127.0.0.1:1"))
        }
        // The retry was announced (an outage is never silent), without the password.
        let said = retries.all
        #expect(said.count == 1 && said[0].contains("127.0.0.1:1") && said[0].contains("try 2 of 2"), "\(said)")
        #expect(!said.joined().contains("s3cret-pw"))
    }
}

/// Lines collected from a `@Sendable` callback.
final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
