import Foundation
import Testing
@testable import Runtime

@Suite struct ToyWorkerTests {
    func job(_ cfg: RunConfig, dir: String, gen: Int, epochs: Int, from: [String] = [], worker: Int = 0, attempt: Int = 1) -> WorkerJob {
        WorkerJob(run: cfg.name, worker: worker, generation: gen, attempt: attempt, epochs: epochs,
                  hps: ["h0": 0.8, "h1": 0.3], initCheckpoints: from,
                  outputDirectory: "\(dir)/w\(worker)/g\(gen)", seed: 1, config: cfg)
    }

    @Test func trainingIsDeterministicAndResumable() throws {
        let dir = TestSupport.tempDir("toy")
        let cfg = try TestSupport.toyConfig(dir: dir)
        let straight = try WorkerRunner.run(job: job(cfg, dir: dir + "/a", gen: 0, epochs: 6), log: { _ in })
        let first = try WorkerRunner.run(job: job(cfg, dir: dir + "/b", gen: 0, epochs: 3), log: { _ in })
        let second = try WorkerRunner.run(job: job(cfg, dir: dir + "/b", gen: 1, epochs: 3, from: [first.checkpoint]), log: { _ in })
        #expect(second.score == straight.score)
        #expect(second.totalEpochs == 6 && second.startedFrom == first.checkpoint)
        #expect(try #require(second.score) < (try #require(first.score)))
        for f in [WorkerFiles.checkpoint, WorkerFiles.hps, WorkerFiles.metrics, WorkerFiles.result] {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/b/w0/g1/\(f)"))
        }
        let metrics = try String(contentsOfFile: "\(dir)/b/w0/g1/metrics.csv", encoding: .utf8)
        #expect(metrics.split(separator: "\n").count == 4)
    }

    @Test func corruptedCheckpointFallsBackToTheNextOne() throws {
        let dir = TestSupport.tempDir("toy")
        let cfg = try TestSupport.toyConfig(dir: dir)
        let g0 = try WorkerRunner.run(job: job(cfg, dir: dir, gen: 0, epochs: 3), log: { _ in })
        let g1 = try WorkerRunner.run(job: job(cfg, dir: dir, gen: 1, epochs: 3, from: [g0.checkpoint]), log: { _ in })
        var bytes = try Data(contentsOf: URL(fileURLWithPath: g1.checkpoint))
        bytes[bytes.count - 3] ^= 0x5a
        try bytes.write(to: URL(fileURLWithPath: g1.checkpoint))
        let e = #expect(throws: RuntimeError.self) { _ = try ToyCheckpoint.read(g1.checkpoint) }
        #expect(e?.message.contains("checksum") == true)
        let g2 = try WorkerRunner.run(job: job(cfg, dir: dir, gen: 2, epochs: 3, from: [g1.checkpoint, g0.checkpoint]), log: { _ in })
        #expect(g2.rejectedCheckpoints == [g1.checkpoint] && g2.startedFrom == g0.checkpoint && g2.totalEpochs == 6)
        try Data(bytes.prefix(20)).write(to: URL(fileURLWithPath: g1.checkpoint))
        #expect(throws: RuntimeError.self) { _ = try ToyCheckpoint.read(g1.checkpoint) }
    }

    @Test func nanWorkerReportsNoScore() throws {
        let dir = TestSupport.tempDir("toy")
        let cfg = try TestSupport.toyConfig(dir: dir, extra: "toy: {nan_workers: [2]}")
        let r = try WorkerRunner.run(job: job(cfg, dir: dir, gen: 0, epochs: 2, worker: 2), log: { _ in })
        #expect(r.score == nil)
    }

    @Test func workerProcessSucceedsAndCrashesAsConfigured() async throws {
        let bin = try TestSupport.autolfadsBinary()
        let dir = TestSupport.tempDir("toyproc")
        let cfg = try TestSupport.toyConfig(dir: dir, extra: "toy: {crash_first_attempt_workers: [1]}")
        for attempt in 1...2 {
            let j = job(cfg, dir: dir, gen: 0, epochs: 2, worker: 1, attempt: attempt)
            try j.save(path: dir + "/job\(attempt).json")
            let p = try ChildProcess(executable: bin, arguments: ["worker", "--job-file", dir + "/job\(attempt).json"],
                                     environment: ChildEnvironment.forWorker(threads: 1), logPath: j.outputDirectory + "/log.txt")
            let status = await p.wait()
            let hasResult = FileManager.default.fileExists(atPath: j.outputDirectory + "/result.json")
            if attempt == 1 { #expect(status == .signaled(SIGABRT) && !hasResult) }
            else { #expect(status == .exited(0) && hasResult) }
        }
        let log = try String(contentsOfFile: dir + "/w1/g0/log.txt", encoding: .utf8)
        #expect(log.contains("crashing") && log.contains("done: score"))
    }

    @Test func standbyWorkerRunsTheAssignedJobIntoItsLog() async throws {
        let bin = try TestSupport.autolfadsBinary()
        let dir = TestSupport.tempDir("standby")
        let cfg = try TestSupport.toyConfig(dir: dir)
        let j = job(cfg, dir: dir, gen: 0, epochs: 2, worker: 2)
        try j.save(path: dir + "/job.json")
        let p = try ChildProcess(executable: bin, arguments: ["worker", "--standby"], environment: ChildEnvironment.forWorker(threads: 1),
                                 logPath: "/dev/null", stdinPipe: true)
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(p.exit == nil, "a standby worker waits for its assignment")
        #expect(p.send(try StandbyAssignment(jobFile: dir + "/job.json", logPath: j.outputDirectory + "/log.txt").encodedLine()))
        #expect(!p.send(Data("again\n".utf8)), "one assignment per process")
        #expect(await p.wait() == .exited(0))
        let outcome = try FileIO.readJSON(JobOutcome.self, from: j.outputDirectory + "/result.json")
        #expect(outcome.epochs == 2 && outcome.score != nil)
        let log = try String(contentsOfFile: j.outputDirectory + "/log.txt", encoding: .utf8)
        #expect(log.contains("worker 2 generation 0") && log.contains("done: score"))

        let idle = try ChildProcess(executable: bin, arguments: ["worker", "--standby"], environment: [:], logPath: "/dev/null", stdinPipe: true)
        #expect(idle.send(Data()))   // EOF without an assignment: the client let it go
        #expect(await idle.wait() == .exited(0))
        let bad = try ChildProcess(executable: bin, arguments: ["worker", "--standby"], environment: [:], logPath: dir + "/bad.txt", stdinPipe: true)
        #expect(bad.send(Data("{not json\n".utf8)))
        #expect(await bad.wait() == .exited(1))
        #expect(try String(contentsOfFile: dir + "/bad.txt", encoding: .utf8).contains("malformed assignment"))
    }
}
