import Foundation
import Testing
import Coordination
import Dashboard
@testable import Runtime

/// `autolfads status` and the dashboard show the final step (a job with generation −1) on its own line and
/// as what a slot runs, keep it out of the job counts and the population's results, and name it so in the
/// failed attempts.
@Test func statusAndDashboardShowTheFinalStepJob() async throws {
    let dir = TestSupport.tempDir("status-final")
    let store = try await openCoordinationStore("sqlite://\(dir)/run.db", environment: [:])
    defer { Task { await store.close() } }
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let run = try await store.createRun(name: "r1", config: .emptyObject, now: t0)
    try await store.upsertWorkers([WorkerRecord(runID: run.id, index: 0, hps: JSONDocument(text: "{}"))], now: t0)
    try await store.registerProcess(ProcessRegistration(id: "c1/0", clientID: "c1", host: "n1", slot: 0, pid: 100), now: t0)
    _ = try await store.enqueueJobs([JobSpec(runID: run.id, worker: 0, generation: 0, payload: .emptyObject)], now: t0)
    let train = try #require(try await store.claimJob(process: "c1/0", leaseSeconds: 60, run: run.id, now: t0))
    _ = try await store.completeJob(train.claim, result: JSONDocument(text: #"{"score":0.5}"#), now: t0)
    _ = try await store.enqueueJobs([JobSpec(runID: run.id, worker: 0, generation: JobRecord.finalStepGeneration(round: 1),
                                             payload: .emptyObject, maxAttempts: 2)], now: t0)
    let first = try #require(try await store.claimJob(process: "c1/0", leaseSeconds: 60, run: run.id, now: t0))
    _ = try await store.failJob(first.claim, error: "worker killed by SIGKILL; see best/posterior.log", now: t0)
    _ = try #require(try await store.claimJob(process: "c1/0", leaseSeconds: 60, run: run.id, now: t0))
    let text = try await StatusReport.load(store: store, run: "r1", now: t0)
    #expect(text.contains("jobs: queued 0, claimed 0, done 1, failed 0"), "\(text)")
    #expect(text.contains("final step (the best model's outputs): claimed by c1/0, attempt 2 of 2"), "\(text)")
    #expect(text.contains("  final step (w0) after 2 attempt(s), now claimed, last error: worker killed by SIGKILL"), "\(text)")

    let storage = SharedStorage(rootPath: dir)
    try FileManager.default.createDirectory(at: try storage.runDirectory("r1"), withIntermediateDirectories: true)
    let s = try await StoreSnapshotSource(store: store, storage: storage, run: "r1").snapshot(now: t0)
    #expect(s.run.finalStep == "claimed by c1/0, attempt 2 of 2", "\(String(describing: s.run.finalStep))")
    #expect(s.jobs == JobCounts(queued: 0, claimed: 0, done: 1, failed: 0, retries: 0))
    #expect(s.processes.first?.job == "final step (w0)" && s.results.map(\.generation) == [0])
    #expect(HTMLFragments.overview(s).contains("<dt>final step</dt><dd>claimed by c1/0, attempt 2 of 2</dd>"))
    #expect(HTMLFragments.problems(s).contains("<td>final step (w0)</td><td>2</td><td>claimed</td>"))
}
