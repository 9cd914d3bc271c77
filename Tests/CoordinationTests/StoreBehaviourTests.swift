import Foundation
import Testing
@testable import Coordination

/// The same behavioural suite on both real backends.
@Suite struct StoreBehaviourTests {
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    @Test(arguments: Backend.allCases)
    func migrationsAreIdempotent(backend: Backend) async throws {
        let (store, url) = try await backend.openFresh()
        #expect(try await store.schemaVersion() == Schema.latestVersion)
        try await store.migrate()
        try await store.migrate()
        let again = try await openCoordinationStore(url, environment: [:])
        #expect(try await again.schemaVersion() == Schema.latestVersion)
        await again.close(); await store.close()
    }

    @Test(arguments: Backend.allCases)
    func runsAndWorkers(backend: Backend) async throws {
        let (store, _) = try await backend.openFresh()
        defer { Task { await store.close() } }
        let run = try await store.createRun(name: "alpha", config: JSONDocument(text: "{\"a\":1}"), now: t0)
        #expect(run.status == .created && run.generation == 0)
        await #expect(throws: StoreError.runExists("alpha")) { try await store.createRun(name: "alpha", config: .emptyObject, now: t0) }
        try await store.setRunStatus(run.id, .running, now: t0)
        try await store.setRunGeneration(run.id, 4, now: t0)
        let got = try #require(try await store.run(named: "alpha"))
        #expect(got.status == .running && got.generation == 4 && got.config.text == "{\"a\":1}")
        #expect(try await store.run(id: 999_999) == nil)
        let beta = try await store.createRun(name: "beta", config: .emptyObject, now: t0)
        #expect(try await store.runs().map(\.name) == ["beta", "alpha"] && beta.id > run.id)
        await #expect(throws: StoreError.unknownRun(999_999)) { try await store.setRunStatus(999_999, .done, now: t0) }

        try await store.upsertWorkers([WorkerRecord(runID: run.id, index: 0, hps: JSONDocument(text: "{}")),
                                       WorkerRecord(runID: run.id, index: 1, hps: JSONDocument(text: "{}"))], now: t0)
        try await store.upsertWorkers([WorkerRecord(runID: run.id, index: 1, status: .ok, hps: JSONDocument(text: "{\"lr\":2}"),
                                                    checkpoint: "runs/alpha/workers/w001/g003/checkpoint.bin",
                                                    generation: 3, lastScore: 0.25, parent: 0)], now: t0)
        let ws = try await store.workers(run: run.id)
        #expect(ws.count == 2)
        #expect(ws[1].status == .ok && ws[1].lastScore == 0.25 && ws[1].parent == 0 && ws[1].generation == 3)
        #expect(ws[1].checkpoint == "runs/alpha/workers/w001/g003/checkpoint.bin" && ws[0].checkpoint == nil)
    }

    @Test(arguments: Backend.allCases)
    func enqueueIsIdempotentAndClaimsOldestFirst(backend: Backend) async throws {
        let (store, _) = try await backend.openFresh()
        defer { Task { await store.close() } }
        let f = try await Fixture.make(store, workers: 3, jobsPerWorker: 2)
        let again = try await store.enqueueJobs([JobSpec(runID: f.run.id, worker: 1, generation: 0, payload: JSONDocument(text: "{\"other\":1}"))], now: t0)
        #expect(again == [f.jobIDs[1]])
        #expect(try await store.jobs(run: f.run.id, generation: nil).count == 6)
        #expect(try await store.job(id: f.jobIDs[1])?.payload.text == "{\"w\":1,\"g\":0}")
        await #expect(throws: StoreError.unknownWorker(run: f.run.id, worker: 9)) {
            try await store.enqueueJobs([JobSpec(runID: f.run.id, worker: 9, generation: 0, payload: .emptyObject)], now: t0)
        }
        try await register(store, "p1", now: t0)
        var order: [Int64] = []
        while let c = try await store.claimJob(process: "p1", leaseSeconds: 10, run: f.run.id, now: t0) {
            #expect(c.job.status == .claimed && c.job.claimedBy == "p1" && c.job.attempts == 1)
            order.append(c.job.id)
        }
        #expect(order == f.jobIDs)
        await #expect(throws: StoreError.unknownProcess("ghost")) {
            try await store.claimJob(process: "ghost", leaseSeconds: 10, run: nil, now: t0)
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentClaimersGetDisjointJobs(backend: Backend) async throws {
        let (first, url) = try await backend.openFresh()
        let f = try await Fixture.make(first, workers: 200)
        // 8 claimers, each with its own store (its own connection pool), claiming until the queue is empty.
        var stores: [any CoordinationStore] = [first]
        for _ in 1..<8 { stores.append(try await openCoordinationStore(url, environment: [:])) }
        let t0 = self.t0
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for (i, store) in stores.enumerated() {
                group.addTask {
                    try await register(store, "claimer\(i)", now: t0)
                    var mine: [Int64] = []
                    while let c = try await store.claimJob(process: "claimer\(i)", leaseSeconds: 60, run: f.run.id, now: t0) {
                        mine.append(c.job.id)
                        #expect(try await store.completeJob(c.claim, result: JSONDocument(text: "{\"score\":\(c.job.id)}"), now: t0) == .accepted)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [[Int64]]()) { $0.append($1) }
        }
        let all = claimed.flatMap { $0 }
        #expect(all.count == 200)
        #expect(Set(all) == Set(f.jobIDs))
        #expect(claimed.filter { !$0.isEmpty }.count >= 2, "claims were not actually concurrent")
        let jobs = try await first.jobs(run: f.run.id, generation: 0)
        #expect(jobs.allSatisfy { $0.status == .done && $0.attempts == 1 })
        for s in stores { await s.close() }
    }

    @Test(arguments: Backend.allCases)
    func heartbeatExtendsLeaseAndReapRequeues(backend: Backend) async throws {
        let (store, _) = try await backend.openFresh()
        defer { Task { await store.close() } }
        _ = try await Fixture.make(store, workers: 2)
        try await register(store, "live", now: t0)
        try await register(store, "silent", now: t0)
        let a = try #require(try await store.claimJob(process: "live", leaseSeconds: 20, run: nil, now: t0))
        let b = try #require(try await store.claimJob(process: "silent", leaseSeconds: 20, run: nil, now: t0))
        // 15 s later only "live" beats: its lease moves to t0+35.
        let hb = try await store.heartbeat(process: "live", holding: [a.claim, b.claim], now: t0 + 15)
        #expect(hb == HeartbeatOutcome(revived: false, heldJobs: [a.job.id]))
        #expect(try await store.job(id: a.job.id)?.leaseExpires == t0 + 35)
        #expect(try await store.reapExpired(now: t0 + 16, heartbeatTimeout: 30) == ReapReport())
        // At t0+31 "silent" missed its heartbeats: dead, its job re-queued; "live" keeps its job.
        let report = try await store.reapExpired(now: t0 + 31, heartbeatTimeout: 30)
        #expect(report == ReapReport(deadProcesses: ["silent"], requeuedJobs: [b.job.id]))
        let procs = try await store.processes()
        #expect(procs.first { $0.id == "silent" }?.status == .dead)
        #expect(procs.first { $0.id == "live" }?.heartbeatAge(now: t0 + 31) == 16)
        let requeued = try #require(try await store.job(id: b.job.id))
        #expect(requeued.status == .queued && requeued.claimedBy == nil && requeued.attempts == 1)
        #expect(try await store.job(id: a.job.id)?.status == .claimed)
        // The silent process comes back: revived, but it no longer holds the job.
        #expect(try await store.heartbeat(process: "silent", holding: [b.claim], now: t0 + 32) == HeartbeatOutcome(revived: true, heldJobs: []))
        // An expired lease is reaped even if the process still heartbeats elsewhere (lease 35 < 40).
        try await register(store, "other", now: t0 + 39)
        let report2 = try await store.reapExpired(now: t0 + 40, heartbeatTimeout: 100)
        #expect(report2.requeuedJobs == [a.job.id])
    }

    @Test(arguments: Backend.allCases)
    func lateCompletionIsRejected(backend: Backend) async throws {
        let (store, _) = try await backend.openFresh()
        defer { Task { await store.close() } }
        let f = try await Fixture.make(store, workers: 1)
        try await register(store, "slow", now: t0)
        try await register(store, "fast", now: t0)
        let slow = try #require(try await store.claimJob(process: "slow", leaseSeconds: 10, run: nil, now: t0))
        _ = try await store.heartbeat(process: "slow", holding: [slow.claim], now: t0)   // it knows the job, then stalls
        _ = try await store.reapExpired(now: t0 + 11, heartbeatTimeout: 60)   // lease expired → re-queued
        let fast = try #require(try await store.claimJob(process: "fast", leaseSeconds: 10, run: nil, now: t0 + 12))
        #expect(fast.job.id == slow.job.id && fast.job.attempts == 2)
        let late = try await store.completeJob(slow.claim, result: JSONDocument(text: "{\"score\":1}"), now: t0 + 13)
        guard case .rejected = late else { Issue.record("late completion accepted: \(late)"); return }
        #expect(try await store.completeJob(fast.claim, result: JSONDocument(text: "{\"score\":2}"), now: t0 + 14) == .accepted)
        // A retried call from the holder is recognised, not double-counted; the slow one stays rejected.
        #expect(try await store.completeJob(fast.claim, result: JSONDocument(text: "{\"score\":2}"), now: t0 + 15) == .alreadyRecorded)
        guard case .rejected = try await store.completeJob(slow.claim, result: JSONDocument(text: "{\"score\":1}"), now: t0 + 16) else {
            Issue.record("second late completion accepted"); return
        }
        let job = try #require(try await store.job(id: f.jobIDs[0]))
        #expect(job.status == .done && job.result?.text == "{\"score\":2}" && job.claimedBy == "fast")
        let done = try await store.events(since: 0, run: f.run.id, limit: 100).filter { $0.kind == .jobDone }
        #expect(done.count == 1)
        guard case .rejected = try await store.failJob(slow.claim, error: "x", now: t0 + 17) else {
            Issue.record("stale failJob accepted"); return
        }
    }

    @Test(arguments: Backend.allCases)
    func retryLimitMarksWorkerBad(backend: Backend) async throws {
        let (store, _) = try await backend.openFresh()
        defer { Task { await store.close() } }
        let f = try await Fixture.make(store, workers: 2, maxAttempts: 2)
        try await register(store, "p", now: t0)
        let c1 = try #require(try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, now: t0))
        #expect(try await store.failJob(c1.claim, error: "NaN loss", now: t0) == .requeued)
        let c2 = try #require(try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, now: t0))
        #expect(c2.job.id == c1.job.id && c2.job.attempts == 2)
        #expect(try await store.failJob(c2.claim, error: "NaN loss again", now: t0) == .failedPermanently)
        let job = try #require(try await store.job(id: c1.job.id))
        #expect(job.status == .failed && job.error == "NaN loss again")
        let ws = try await store.workers(run: f.run.id)
        #expect(ws[0].status == .bad && ws[1].status == .new)
        // The failed job is never handed out again; the other one is.
        let next = try #require(try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, now: t0))
        #expect(next.job.worker == 1)
        // Expiry counts too: worker 1's job (maxAttempts 2), held (renewed) and then not, expires twice → failed, worker bad.
        _ = try await store.heartbeat(process: "p", holding: [next.claim], now: t0)
        _ = try await store.reapExpired(now: t0 + 11, heartbeatTimeout: 1000)
        let again = try #require(try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, now: t0 + 12))
        _ = try await store.heartbeat(process: "p", holding: [again.claim], now: t0 + 12)
        let r = try await store.reapExpired(now: t0 + 23, heartbeatTimeout: 1000)
        #expect(r.failedJobs == [next.job.id])
        #expect(try await store.workers(run: f.run.id).allSatisfy { $0.status == .bad })
    }

    /// The final step (a job with a negative generation) failing for good, by failure or by expiry, leaves its
    /// worker as it was: the model is fine, only its outputs were not written.
    @Test(arguments: Backend.allCases)
    func aFailedFinalStepNeverMarksItsWorkerBad(backend: Backend) async throws {
        let (store, _) = try await backend.openFresh()
        defer { Task { await store.close() } }
        let f = try await Fixture.make(store, workers: 2, jobsPerWorker: 0)
        try await register(store, "p", now: t0)
        let final = (0..<2).map { JobSpec(runID: f.run.id, worker: $0, generation: JobRecord.finalStepGeneration(round: 1),
                                          payload: .emptyObject, maxAttempts: 1) }
        _ = try await store.enqueueJobs(final, now: t0)
        let c1 = try #require(try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, now: t0))
        #expect(c1.job.isFinalStep && c1.job.generation == -1)
        #expect(try await store.failJob(c1.claim, error: "worker killed by SIGKILL", now: t0) == .failedPermanently)
        let c2 = try #require(try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, now: t0))
        _ = try await store.heartbeat(process: "p", holding: [c2.claim], now: t0)
        #expect(try await store.reapExpired(now: t0 + 11, heartbeatTimeout: 1000).failedJobs == [c2.job.id])
        let jobs = try await store.jobs(run: f.run.id, generation: -1)
        #expect(jobs.count == 2 && jobs.allSatisfy { $0.status == .failed })
        #expect(try await store.workers(run: f.run.id).allSatisfy { $0.status == .new })
    }

    @Test(arguments: Backend.allCases)
    func releaseKeepsTheAttemptAndNeverMarksTheWorkerBad(backend: Backend) async throws {
        let (store, _) = try await backend.openFresh()
        defer { Task { await store.close() } }
        let f = try await Fixture.make(store, workers: 1, maxAttempts: 1)
        try await register(store, "p", now: t0)
        for _ in 0..<3 {   // with max_attempts 1, three full-disk releases in a row still leave the job queued
            let c = try #require(try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, now: t0))
            #expect(c.job.attempts == 1)
            #expect(try await store.releaseJob(c.claim, error: "disk full: x", now: t0) == .requeued)
            // A second answer for the same claim is stale.
            if case .rejected = try await store.releaseJob(c.claim, error: "disk full: x", now: t0) {} else { Issue.record("stale release accepted") }
        }
        let job = try #require(try await store.job(id: f.jobIDs[0]))
        #expect(job.status == .queued && job.attempts == 0 && job.error == "disk full: x" && job.claimedBy == nil)
        #expect(try await store.workers(run: f.run.id)[0].status != .bad)
        let events = try await store.events(since: 0, run: f.run.id, limit: 100).filter { $0.kind == .jobReleased }
        #expect(events.count == 3 && events[0].message.text.contains("disk full: x"))
        // Completion still works after the releases.
        let c = try #require(try await store.claimJob(process: "p", leaseSeconds: 10, run: nil, now: t0))
        #expect(try await store.completeJob(c.claim, result: JSONDocument(text: "{}"), now: t0) == .accepted)
    }

    @Test(arguments: Backend.allCases)
    func eventsAndProcesses(backend: Backend) async throws {
        let (store, _) = try await backend.openFresh()
        defer { Task { await store.close() } }
        let f = try await Fixture.make(store, workers: 1)
        let e1 = try await store.appendEvent(run: f.run.id, kind: .generation, message: JSONDocument(text: "{\"g\":1}"), now: t0)
        let e2 = try await store.appendEvent(run: nil, kind: EventKind(rawValue: "note"), message: .emptyObject, now: t0 + 1)
        // A kind this version has no name for reads back as itself.
        #expect(try await store.events(since: 0, run: nil, limit: 100).first { $0.id == e2 }?.kind == EventKind(rawValue: "note"))
        let e3 = try await store.appendEvent(run: f.run.id, kind: .generation, message: JSONDocument(text: "{\"g\":2}"), now: t0 + 2)
        #expect(e1 < e2 && e2 < e3)
        #expect(try await store.events(since: e1, run: nil, limit: 10).map(\.id) == [e2, e3])
        let ofRun = try await store.events(since: 0, run: f.run.id, limit: 10)
        #expect(ofRun.map(\.id) == [e1, e3] && ofRun[1].message.text == "{\"g\":2}" && ofRun[1].time == t0 + 2)
        #expect(try await store.events(since: 0, run: nil, limit: 2).count == 2)

        try await store.registerProcess(ProcessRegistration(id: "c1/0", clientID: "c1", host: "node1", slot: 0, pid: 42), now: t0)
        try await store.setProcessStatus("c1/0", .exited, now: t0)
        let p = try #require(try await store.processes().first)
        #expect(p.host == "node1" && p.pid == 42 && p.status == .exited && p.lastHeartbeat == t0)
        await #expect(throws: StoreError.unknownProcess("nope")) { try await store.heartbeat(process: "nope", holding: [], now: t0) }
    }
}
