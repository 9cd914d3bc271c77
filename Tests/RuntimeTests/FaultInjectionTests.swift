import Foundation
import Testing
import Coordination
@testable import Runtime

/// Faults injected with real signals and real files; the run must finish with nothing lost or double-counted.
@Suite(.serialized) struct FaultInjectionTests {
    @Test func killedClientsJobIsRequeuedAndFinishedElsewhere() async throws {
        let h = try ClusterHarness(label: "fault-client", yaml: "population: 3\nmax_generations: 2\ntoy: {epoch_seconds: 0.4}\n")
        defer { Task { await h.stopAll() } }
        let server = try h.startServer()
        let store = try await h.openStore()
        try await h.wait("run created") { try await store.run(named: h.config.name) != nil }
        let victim = try h.startClient(slots: 1, log: "victim.log")
        // Freeze the victim, then read which job it holds and its two children (the job's worker and the
        // slot's next, standby, worker): frozen, it cannot finish that job and claim another before the kill.
        var victimJob: Int64 = -1
        var victimChildren: [Int32] = []
        try await h.wait("victim is frozen holding a claimed job, a worker and a standby") {
            victim.signal(SIGSTOP)
            victimChildren = TestSupport.childPids(of: victim.pid)
            let ids = try await store.processes().filter { $0.pid == Int(victim.pid) }.map(\.id)
            let (_, jobs, _) = try await h.snapshot(store)
            if victimChildren.count == 2, let j = jobs.first(where: { $0.status == .claimed && ids.contains($0.claimedBy ?? "") }) {
                victimJob = j.id
                return true
            }
            victim.signal(SIGCONT)
            return false
        }
        victim.signal(SIGKILL)
        #expect(await victim.wait() == .signaled(SIGKILL))
        try await h.wait("the dead client's worker processes exit", timeout: 20) { victimChildren.allSatisfy { kill($0, 0) != 0 } }
        // Its orphaned worker notices the parent is gone and exits (it must not race the retry).
        // (The wait above already covers it: the job's worker is one of the two children read while frozen.
        // The client logs "started worker PID" just after spawning, so a client frozen in between has no
        // such line yet; when it has one, that worker must be gone too.)
        let victimLog = try String(contentsOfFile: h.dir + "/victim.log", encoding: .utf8)
        if let orphan = victimLog.split(separator: "\n").compactMap({ l in l.contains("started worker") ? l.split(separator: " ").last.flatMap { Int32($0) } : nil }).last {
            try await h.wait("orphaned worker \(orphan) exits", timeout: 20) { kill(orphan, 0) != 0 }
        }
        #expect(victimChildren.count == 2 && victimChildren.allSatisfy { kill($0, 0) != 0 })
        let rescuer = try h.startClient(slots: 2, log: "rescuer.log")
        #expect(await h.exit(of: server) == .exited(0), "\(h.logs())")
        #expect(await h.exit(of: rescuer, timeout: 20) == .exited(0))
        let jobs = try await h.expectCompleteRun(store, workers: 3, generations: 2)
        let j = try #require(jobs.first { $0.id == victimJob })
        #expect(j.attempts >= 2)
        let victimProcs = try await store.processes().filter { $0.pid == Int(victim.pid) }
        #expect(!victimProcs.isEmpty && victimProcs.allSatisfy { $0.status == .dead })
        await store.close()
    }

    /// The final step is a job: the client running it is killed, its lease expires, and another client of the
    /// run claims the step and writes the best model's outputs (the server never runs a worker itself).
    @Test func finalStepOfAKilledClientIsFinishedByAnother() async throws {
        let h = try ClusterHarness(label: "fault-final", yaml: "population: 2\nmax_generations: 1\ntoy: {posterior_seconds: 4}\n")
        defer { Task { await h.stopAll() } }
        let server = try h.startServer()
        let store = try await h.openStore()
        try await h.wait("run created") { try await store.run(named: h.config.name) != nil }
        let victim = try h.startClient(slots: 2, log: "victim.log")
        try await h.wait("the victim claims the final step", timeout: 120) { try await h.finalStep(store)?.status == .claimed }
        victim.signal(SIGKILL)
        #expect(await victim.wait() == .signaled(SIGKILL))
        let rescuer = try h.startClient(slots: 1, log: "rescuer.log")
        #expect(await h.exit(of: server, timeout: 240) == .exited(0), "\(h.logs())")
        #expect(await h.exit(of: rescuer, timeout: 20) == .exited(0))
        let step = try #require(try await h.finalStep(store))
        let rescuers = try await store.processes().filter { $0.pid == Int(rescuer.pid) }.map(\.id)
        #expect(step.status == .done && step.attempts == 2 && rescuers.contains(step.claimedBy ?? ""), "\(step)")
        let best = try SharedStorage(rootPath: h.config.storage).bestDirectory(run: h.config.name)
        #expect(FileManager.default.fileExists(atPath: best.appendingPathComponent("toy_output.json").path))
        #expect(try String(contentsOfFile: h.dir + "/rescuer.log", encoding: .utf8).contains("final step for worker"))
        await store.close()
    }

    /// An async run stopped by its improvement-ratio rule whose final step failed for good: rerunning the same
    /// command goes straight to a new try of the final step with the recorded stop reason, and trains nothing.
    @Test func retryingAFailedFinalStepOfAnAsyncRunTrainsNothing() async throws {
        let h = try ClusterHarness(label: "final-async", yaml: "population: 2\nmax_generations: 8\npbt: {mode: async}\ntoy: {posterior_seconds: 3}\n",
                                   faults: ClusterHarness.faults(maxAttempts: 1), stopping: "{enabled: true, patience: 2, min_change: 1}")
        defer { Task { await h.stopAll() } }
        let args = ["run", "--config", h.configPath, "--no-dashboard", "--slots", "2"]
        let first = try h.start(args, log: "run-1.log")
        var killed = false
        let deadline = Date().addingTimeInterval(120)
        while !killed && first.exit == nil && Date() < deadline {
            if let pid = TestSupport.descendantPids(of: first.pid).first(where: { TestSupport.commandLine(of: $0).contains("posterior-job.json") }) {
                kill(pid, SIGKILL); killed = true
            } else { try await Task.sleep(nanoseconds: 10_000_000) }
        }
        try #require(killed, "the final step was not caught running")
        #expect(await h.exit(of: first, timeout: 60) == .exited(3), "\(h.logs())")
        let store = try await h.openStore()
        let (_, trained, _) = try await h.snapshot(store)
        #expect(trained.allSatisfy { $0.status == .done } && Set(trained.map(\.generation)).count < 8, "stopped by the ratio rule: \(trained.count) jobs")
        let second = try h.start(args, log: "run-2.log")
        #expect(await h.exit(of: second, timeout: 120) == .exited(0), "\(h.logs())")
        let out2 = try String(contentsOfFile: h.dir + "/run-2.log", encoding: .utf8)
        #expect(out2.contains("its final step failed") && out2.contains("stopping: no improvement"), "\(out2)")
        let (run, after, _) = try await h.snapshot(store)
        #expect(run.status == .done && after.map(\.id) == trained.map(\.id), "the retry trained nothing: \(trained.count) → \(after.count) jobs")
        let step = try await h.finalStep(store)
        #expect(step?.generation == -2 && step?.status == .done)
        await store.close()
    }

    @Test func sigtermStopsAClientCleanlyAndItsJobIsRequeued() async throws {
        let h = try ClusterHarness(label: "fault-term", yaml: "population: 2\nmax_generations: 2\ntoy: {epoch_seconds: 0.5}\n",
                                   faults: ClusterHarness.faults(maxAttempts: 1))
        defer { Task { await h.stopAll() } }
        let server = try h.startServer()
        let store = try await h.openStore()
        try await h.wait("run created") { try await store.run(named: h.config.name) != nil }
        let client = try h.startClient(slots: 2, log: "client-1.log")
        try await h.wait("a worker is running") {
            (try String(contentsOfFile: h.dir + "/client-1.log", encoding: .utf8)).contains("started worker")
        }
        let log = try String(contentsOfFile: h.dir + "/client-1.log", encoding: .utf8)
        let workerPids = log.split(separator: "\n").compactMap { line in line.split(separator: " ").last.flatMap { Int32($0) } }
        client.signal(SIGTERM)
        #expect(await h.exit(of: client, timeout: 15) == .exited(0))
        #expect(!workerPids.isEmpty && workerPids.allSatisfy { kill($0, 0) != 0 }, "workers \(workerPids) must be gone")
        let procs = try await store.processes().filter { $0.pid == Int(client.pid) }
        #expect(procs.count == 2 && procs.allSatisfy { $0.status == .exited })
        let second = try h.startClient(slots: 2, log: "client-2.log")
        #expect(await h.exit(of: server) == .exited(0), "\(h.logs())")
        #expect(await h.exit(of: second, timeout: 20) == .exited(0))
        let jobs = try await h.expectCompleteRun(store, workers: 2, generations: 2)
        // The interrupted jobs went back to the queue without using up an attempt (max_attempts 1 here).
        #expect(jobs.contains { $0.error == "interrupted: its client stopped" } && jobs.allSatisfy { $0.attempts == 1 })
        let text = try String(contentsOfFile: h.dir + "/client-1.log", encoding: .utf8)
        #expect(text.contains("received signal 15") && text.contains("interrupted by shutdown; re-queued"))
        await store.close()
    }

    /// `autolfads run` stopped by SIGTERM (`kill`, a scheduler), killed outright, or given Ctrl-C in a
    /// terminal (SIGINT to its whole process group, shown as -SIGINT): every process it started stops
    /// (its clients stop their workers and re-queue the jobs, no job counts as failed), and the same
    /// command resumes the run to the end, each worker-generation done exactly once.
    @Test(arguments: [SIGTERM, SIGKILL, -SIGINT]) func interruptedRunStopsEverythingAndResumes(signal: Int32) async throws {
        let h = try ClusterHarness(label: "interrupt-\(signal)", yaml: "population: 3\nmax_generations: 4\ntoy: {epoch_seconds: 0.5}\n",
                                   faults: ClusterHarness.faults(maxAttempts: signal == SIGKILL ? 3 : 1))
        defer { Task { await h.stopAll() } }
        let args = ["run", "--config", h.configPath, "--no-dashboard", "--slots", "2"]
        let first = try h.start(args, log: "run-1.log", ownProcessGroup: true)
        let clientLog = h.config.runDirectory + "/client-0.log"
        try await h.wait("a worker is running") { (try String(contentsOfFile: clientLog, encoding: .utf8)).contains("started worker") }
        let started = TestSupport.descendantPids(of: first.pid)
        #expect(started.count >= 3, "a client, its worker and a standby: \(started)")
        if signal < 0 { kill(-first.pid, -signal) } else { first.signal(signal) }
        #expect(await first.wait() == (signal == SIGKILL ? .signaled(SIGKILL) : .exited(128 + abs(signal))))
        try await h.wait("every process the run started stops", timeout: 20) { !started.contains(where: TestSupport.isRunning) }
        if signal != SIGKILL {
            let out = try String(contentsOfFile: h.dir + "/run-1.log", encoding: .utf8)
            #expect(out.contains("run the same command again to resume"), "\(out)")
        }
        #expect(try String(contentsOfFile: clientLog, encoding: .utf8).contains("stopping workers"))
        if signal == SIGTERM {   // `status` tells that nothing trains the open run any more
            let status = try h.start(["status", "--config", h.configPath], log: "status.log")
            #expect(await h.exit(of: status) == .exited(0))
            let text = try String(contentsOfFile: h.dir + "/status.log", encoding: .utf8)
            #expect(text.contains(": running") && text.contains("note: no live client"), "\(text)")
        }
        let second = try h.start(args, log: "run-2.log")
        #expect(await h.exit(of: second, timeout: 60) == .exited(0), "\(h.logs())")
        let store = try await h.openStore()
        let jobs = try await h.expectCompleteRun(store, workers: 3, generations: 4)
        #expect(jobs.allSatisfy { $0.error?.contains("signal") != true }, "interrupted, not failed: \(jobs.compactMap(\.error))")
        #expect(try await h.snapshot(store).2.allSatisfy { $0.status == .ok })
        await store.close()
    }

    @Test func killedServerResumesAtTheSameGeneration() async throws {
        let h = try ClusterHarness(label: "fault-server", yaml: "population: 3\nmax_generations: 4\ntoy: {epoch_seconds: 0.1}\n")
        defer { Task { await h.stopAll() } }
        let first = try h.startServer(log: "server-1.log")
        let store = try await h.openStore()
        try await h.wait("run created") { try await store.run(named: h.config.name) != nil }
        let client = try h.startClient(slots: 3, log: "client.log")
        try await h.wait("generation 2 reached") { try await h.snapshot(store).0.generation >= 2 }
        first.signal(SIGKILL)
        #expect(await first.wait() == .signaled(SIGKILL))
        let genAtKill = try await h.snapshot(store).0.generation
        let second = try h.startServer(log: "server-2.log")
        #expect(await h.exit(of: second) == .exited(0), "\(h.logs())")
        #expect(await h.exit(of: client, timeout: 20) == .exited(0))
        let log2 = try String(contentsOfFile: h.dir + "/server-2.log", encoding: .utf8)
        #expect(log2.contains("resuming run 'fault-server' at generation \(genAtKill)"), "\(log2)")
        _ = try await h.expectCompleteRun(store, workers: 3, generations: 4)
        await store.close()
    }

    @Test func nanWorkerIsExploitedAway() async throws {
        let h = try ClusterHarness(label: "fault-nan", yaml: "population: 4\nmax_generations: 3\ntoy: {nan_workers: [1]}\n")
        defer { Task { await h.stopAll() } }
        let p = try h.start(["run", "--config", h.configPath, "--slots", "2"], log: "run.log")
        #expect(await h.exit(of: p) == .exited(0), "\(h.logs())")
        let store = try await h.openStore()
        _ = try await h.expectCompleteRun(store, workers: 4, generations: 3)
        let rows = try CSVLog.read(try SharedStorage(rootPath: h.config.storage).decisionsCSV(run: h.config.name)).dropFirst()
        let w1 = rows.filter { $0[1] == "1" }
        #expect(w1.count == 2 && w1.allSatisfy { $0[2] == "copy" && $0[3] != "1" && $0[5] == "nan" })
        await store.close()
    }

    @Test func crashingWorkerIsRetriedThenMarkedBad() async throws {
        let h = try ClusterHarness(label: "fault-crash", yaml: """
            population: 3
            max_generations: 2
            toy: {crash_workers: [2], crash_first_attempt_workers: [0]}
            """)
        defer { Task { await h.stopAll() } }
        let p = try h.start(["run", "--config", h.configPath, "--slots", "2"], log: "run.log")
        #expect(await h.exit(of: p) == .exited(0), "\(h.logs())")
        let store = try await h.openStore()
        let (run, jobs, workers) = try await h.snapshot(store)
        #expect(run.status == .done)
        #expect(workers.first { $0.index == 2 }?.status == .bad)
        let w2 = jobs.filter { $0.worker == 2 }
        #expect(w2.count == 1 && w2[0].status == .failed && w2[0].attempts == 3 && (w2[0].error ?? "").contains("SIGABRT"))
        let w0g0 = try #require(jobs.first { $0.worker == 0 && $0.generation == 0 })
        #expect(w0g0.status == .done && w0g0.attempts == 2)
        #expect(jobs.filter { $0.status == .done }.count == 4)
        // `autolfads status` lists the failed attempts with their reasons.
        let status = try h.start(["status", "--config", h.configPath], log: "status.log")
        #expect(await h.exit(of: status) == .exited(0))
        let text = try String(contentsOfFile: h.dir + "/status.log", encoding: .utf8)
        #expect(text.contains("failed attempts (3 job(s)") && text.contains("w2/g0 after 3 attempt(s), now failed, last error: worker killed by signal 6 (SIGABRT)")
                && text.contains("w0/g0 after 2 attempt(s), now done, last error: worker killed by signal 6"), "\(text)")
        await store.close()
    }

    @Test func runWhereEveryWorkerCrashesFailsClearly() async throws {
        let h = try ClusterHarness(label: "fault-allcrash", yaml: "population: 2\nmax_generations: 3\ntoy: {crash_workers: [0, 1]}\n",
                                   faults: ClusterHarness.faults(maxAttempts: 1))
        let p = try h.start(["run", "--config", h.configPath, "--slots", "2"], log: "run.log")
        #expect(await h.exit(of: p) == .exited(2), "\(h.logs())")
        let out = try String(contentsOfFile: h.dir + "/run.log", encoding: .utf8)
        #expect(out.contains("every worker failed") && out.contains("no worker produced a valid score"))
        let store = try await h.openStore()
        let (run, jobs, workers) = try await h.snapshot(store)
        #expect(run.status == .failed && jobs.count == 2 && jobs.allSatisfy { $0.status == .failed })
        #expect(workers.allSatisfy { $0.status == .bad })
        await store.close()
    }

    @Test func corruptedCheckpointIsDetectedAndTheWorkerRecovers() async throws {
        let h = try ClusterHarness(label: "fault-ckpt", yaml: "population: 3\nmax_generations: 3\n")
        defer { Task { await h.stopAll() } }
        let server = try h.startServer()
        let store = try await h.openStore()
        try await h.wait("run created") { try await store.run(named: h.config.name) != nil }
        let first = try h.startClient(slots: 3, log: "client-1.log", extra: ["--max-jobs", "6"])
        #expect(await h.exit(of: first) == .exited(0))
        try await h.wait("generation 2 enqueued") { try await h.snapshot(store).0.generation == 2 }
        let st = SharedStorage(rootPath: h.config.storage)
        for w in 0..<3 {   // corrupt every generation-1 checkpoint: generation 2 must fall back to generation 0
            let url = try st.checkpoint(run: h.config.name, worker: w, generation: 1)
            var bytes = try Data(contentsOf: url)
            bytes[bytes.count - 2] ^= 0xff
            try bytes.write(to: url)
        }
        let second = try h.startClient(slots: 3, log: "client-2.log")
        #expect(await h.exit(of: server) == .exited(0), "\(h.logs())")
        #expect(await h.exit(of: second, timeout: 20) == .exited(0))
        let jobs = try await h.expectCompleteRun(store, workers: 3, generations: 3)
        for j in jobs where j.generation == 2 {
            let o = try #require(try j.result?.decode(JobOutcome.self))
            #expect(!o.rejectedCheckpoints.isEmpty && o.rejectedCheckpoints.allSatisfy { $0.contains("/g001/") })
            #expect(o.startedFrom?.contains("/g000/") == true)
            #expect(o.totalEpochs == 4)
            let log = try String(contentsOf: try st.logFile(run: h.config.name, worker: j.worker, generation: 2), encoding: .utf8)
            #expect(log.contains("checksum"))
        }
        await store.close()
    }
}
