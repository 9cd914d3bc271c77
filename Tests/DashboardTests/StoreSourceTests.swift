import Coordination
import Foundation
import PBT
import Testing
@testable import Dashboard

/// A real SQLite coordination store with one run: 3 workers, generation 0 done for w0 and w1 (w1 after a retry),
/// w2 claimed by a live slot, one dead slot; the run directory holds the fixture's CSV logs.
@Test func storeSourceMergesStoreRowsWithTheRunDirectory() async throws {
    let root = try temporaryDirectory("store-src")
    defer { cleanup(root) }
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let store = try await openCoordinationStore("sqlite://" + root.appendingPathComponent("run.db").path, environment: [:])
    let config = JSONDocument(text: #"{"population":3,"maxGenerations":5,"mode":"async","minimize":true,"searchSpace":[{"name":"kl_co_scale","initMode":"log_uniform","space":"linear"},{"name":"lr","initMode":"fixed","space":"linear"}]}"#)
    let run = try await store.createRun(name: "r1", config: config, now: t0)
    try await store.setRunStatus(run.id, .running, now: t0)
    let recordScores: [Double?] = [9.0, 1.5, nil]   // w0's record lags behind its finished job (score 0.5)
    try await store.upsertWorkers((0..<3).map { w in
        WorkerRecord(runID: run.id, index: w, status: .ok, hps: JSONDocument(text: #"{"lr":0.004,"kl_co_scale":1e-5}"#),
                     generation: w == 2 ? 0 : 1, lastScore: recordScores[w], parent: w == 1 ? 0 : nil)
    }, now: t0)
    let decision = Decision(worker: 1, generation: 0, action: .copy, parent: 0, parentGeneration: 0, parentCheckpoint: "c",
                            oldHyperparameters: ["lr": 0.004], newHyperparameters: ["lr": 0.005], score: 1.5, parentScore: 0.5)
    let payload = try JSONDocument(encoding: ["decision": decision])
    _ = try await store.enqueueJobs((0..<3).map { JobSpec(runID: run.id, worker: $0, generation: 0, payload: payload) }, now: t0)
    for (i, host) in ["n1", "n1", "n2"].enumerated() {
        try await store.registerProcess(ProcessRegistration(id: "c1/\(i)", clientID: "c1", host: host, slot: i, pid: 100 + i), now: t0)
    }
    // w0: done; w1: failed once then done; w2: claimed and running.
    let c0 = try #require(try await store.claimJob(process: "c1/0", leaseSeconds: 60, run: run.id, now: t0))
    _ = try await store.completeJob(c0.claim, result: JSONDocument(text: #"{"score":0.5,"seconds":10,"epochs":5}"#), now: t0.addingTimeInterval(10))
    let c1 = try #require(try await store.claimJob(process: "c1/1", leaseSeconds: 60, run: run.id, now: t0))
    _ = try await store.failJob(c1.claim, error: "boom", now: t0.addingTimeInterval(2))
    let c1b = try #require(try await store.claimJob(process: "c1/1", leaseSeconds: 60, run: run.id, now: t0.addingTimeInterval(3)))
    #expect(c1b.job.worker == 1 && c1b.job.attempts == 2)   // the re-queued job is the oldest
    _ = try await store.completeJob(c1b.claim, result: JSONDocument(text: #"{"score":1.5,"seconds":12,"epochs":5}"#), now: t0.addingTimeInterval(20))
    let c2 = try #require(try await store.claimJob(process: "c1/2", leaseSeconds: 60, run: run.id, now: t0.addingTimeInterval(21)))
    _ = try await store.heartbeat(process: "c1/2", holding: [c2.claim], now: t0.addingTimeInterval(25))
    try await store.setProcessStatus("c1/0", .dead, now: t0.addingTimeInterval(26))
    #expect(c2.job.worker == 2)

    let storage = SharedStorage(root: root)
    try FileManager.default.createDirectory(at: try storage.runDirectory("r1"), withIntermediateDirectories: true)
    let source = StoreSnapshotSource(store: store, storage: storage, run: "r1")
    let s = try await source.snapshot(now: t0.addingTimeInterval(30))
    await store.close()

    #expect(s.run.status == .running && s.run.maxGenerations == 5 && s.run.population == 3 && s.run.mode == "async")
    #expect(s.run.logScaledHPs == ["kl_co_scale"])
    #expect(s.workers.map(\.worker) == [0, 1, 2] && s.workers[1].parent == 0 && s.workers[2].job == .claimed)
    #expect(s.workers[0].hps == ["lr": 0.004, "kl_co_scale": 1e-5])
    #expect(s.workers.map(\.score) == [0.5, 1.5, nil], "a finished job's score shows before the worker record catches up")
    #expect(s.jobs == JobCounts(queued: 0, claimed: 1, done: 2, failed: 0, retries: 1))
    #expect(s.processes.map(\.status) == [.dead, .alive, .alive])
    #expect(s.processes.first { $0.id == "c1/2" }?.job == "w2/g0")
    #expect(abs((s.processes.first { $0.id == "c1/2" }?.lastHeartbeat ?? .distantPast).timeIntervalSince(t0.addingTimeInterval(25))) < 1e-3)
    // No CSV logs yet: results and decisions come from the jobs.
    #expect(s.results.map(\.worker) == [0, 1] && s.results.map(\.score) == [0.5, 1.5] && s.results[1].seconds == 12)
    #expect(s.decisions.count == 3 && s.decisions.allSatisfy { $0.action == "copy" && $0.parent == 0 })
    // w1's failed first attempt is listed with its error, though the retry succeeded.
    #expect(s.problems.map { [$0.worker, $0.generation, $0.attempts] } == [[1, 0, 2]])
    #expect(s.problems.first?.status == .done && s.problems.first?.error == "boom")
    let table = HTMLFragments.problems(s)
    #expect(table.contains("<td>w1/g0</td><td>2</td><td>done</td>") && table.contains("boom"))
    #expect(DashboardPage.html(s).contains("id=\"problems\"") && DashboardPage.fragments(s).problems == table)
    let o = RunSummary.overview(s)
    #expect(o.aliveProcesses == 2 && o.busyProcesses == 1 && o.bestScore == 0.5)
    let m = RunMetrics.exposition(s)
    #expect(m.contains("autolfads_slot_utilization{run=\"r1\"} 0.5\n") && m.contains("autolfads_job_retries_total{run=\"r1\"} 1\n"))

    // Unknown run → a one-line error naming the fix.
    let store2 = try await openCoordinationStore("sqlite://" + root.appendingPathComponent("run.db").path, environment: [:])
    await #expect(throws: DashboardError.self) { try await StoreSnapshotSource(store: store2, storage: storage, run: "nope").snapshot(now: t0) }
    await store2.close()
}

@Test func failedJobShowsTheCauseFromItsWorkerLog() throws {
    let root = try temporaryDirectory("log-tail")
    defer { cleanup(root) }
    let log = root.appendingPathComponent("workers/w001/g000/log.txt")
    try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
    let backtrace = (0..<400).map { "  #\($0) 0x0000 in frame \($0)" }.joined(separator: "\n")
    try "epoch 1: valid 0.3\nautolfads worker: cannot read x.h5: no such file\n\(backtrace)\n\n".write(to: log, atomically: true, encoding: .utf8)
    let error = "worker exited with status 1; see \(log.path)"
    #expect(LogTail.cause(of: error, within: root.path) == "autolfads worker: cannot read x.h5: no such file")
    // Without an error marker, the last line; outside the run directory or without a path, nothing.
    try "step 1\nstep 2\n".write(to: log, atomically: true, encoding: .utf8)
    #expect(LogTail.cause(of: error, within: root.path) == "step 2")
    #expect(LogTail.cause(of: "worker exited; see /etc/passwd", within: root.path) == nil)
    #expect(LogTail.cause(of: "worker exited; see \(root.path)/../../etc/passwd", within: root.path) == nil)
    #expect(LogTail.cause(of: "lease of c1/0 expired", within: root.path) == nil)
}
