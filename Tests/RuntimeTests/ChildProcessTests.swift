import Foundation
import Testing
@testable import Runtime

@Suite struct ChildProcessTests {
    @Test func blasEnvironmentForChildren() {
        let avx = ChildEnvironment.make(base: ["PATH": "/bin"], threads: 2, cpuHasAVX512: true)
        #expect(avx["OPENBLAS_CORETYPE"] == "SkylakeX")
        #expect(avx["AUTOLFADS_THREADS"] == "2" && avx["PATH"] == "/bin")
        // The worker's threads are its own data-parallel shards; BLAS stays single-threaded inside each.
        #expect(avx["OPENBLAS_NUM_THREADS"] == "1" && avx["OMP_NUM_THREADS"] == "1")
        #expect(ChildEnvironment.make(base: [:], threads: 1, cpuHasAVX512: false)["OPENBLAS_CORETYPE"] == nil)
        #expect(ChildEnvironment.make(base: ["AUTOLFADS_BLAS_CORETYPE": "keep"], threads: 1, cpuHasAVX512: true)["OPENBLAS_CORETYPE"] == nil)
        #expect(ChildEnvironment.make(base: ["AUTOLFADS_BLAS_CORETYPE": "Haswell"], threads: 1, cpuHasAVX512: true)["OPENBLAS_CORETYPE"] == "Haswell")
        #expect(ChildEnvironment.make(base: ["OPENBLAS_CORETYPE": "Zen"], threads: 1, cpuHasAVX512: true)["OPENBLAS_CORETYPE"] == "Zen")
    }

    @Test func exitStatusAndLogAreCaptured() async throws {
        let dir = TestSupport.tempDir("child")
        let log = dir + "/w/log.txt"
        let a = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "echo out-line; echo err-line >&2; exit 3"],
                                 environment: ["PATH": "/bin:/usr/bin"], logPath: log)
        #expect(await a.wait() == .exited(3))
        let b = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "echo second"], environment: [:], logPath: log)
        #expect(await b.wait() == .exited(0))
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("out-line") && text.contains("err-line") && text.contains("second"))
    }

    @Test func signalsAreReported() async throws {
        let dir = TestSupport.tempDir("child")
        let c = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "kill -9 $$"], environment: [:], logPath: dir + "/log.txt")
        let status = await c.wait()
        #expect(status == .signaled(SIGKILL))
        #expect(status.description.contains("SIGKILL"))
        let sleeper = try ChildProcess(executable: "/bin/sleep", arguments: ["30"], environment: [:], logPath: dir + "/log2.txt")
        let st = await sleeper.terminate(grace: 2)
        #expect(st == .signaled(SIGTERM), "\(st)")
    }

    @Test func childrenInheritOnlyStandardDescriptors() async throws {
        let dir = TestSupport.tempDir("child")
        let held = try #require(FileHandle(forWritingAtPath: "/dev/null"))   // an extra open descriptor here
        defer { try? held.close() }
        let c = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "ls /proc/$$/fd"], environment: [:], logPath: dir + "/fds.txt")
        #expect(await c.wait() == .exited(0))
        let fds = try String(contentsOfFile: dir + "/fds.txt", encoding: .utf8).split(separator: "\n").compactMap { Int($0) }
        #expect(Set(fds).isSubset(of: [0, 1, 2, 3]), "inherited: \(fds)")   // 3: ls's own directory handle
    }

    @Test func stdinPipeDeliversOneMessageThenEOF() async throws {
        let dir = TestSupport.tempDir("child")
        let c = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "read x; echo got:$x; read y || echo eof"],
                                 environment: [:], logPath: dir + "/log.txt", stdinPipe: true)
        #expect(c.send(Data("hello\n".utf8)))
        #expect(await c.wait() == .exited(0))
        #expect(!c.send(Data("late\n".utf8)))
        let text = try String(contentsOfFile: dir + "/log.txt", encoding: .utf8)
        #expect(text.contains("got:hello") && text.contains("eof"), "\(text)")
        let dead = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "exit 0"], environment: [:], logPath: dir + "/l2.txt", stdinPipe: true)
        _ = await dead.wait()
        #expect(!dead.send(Data(repeating: 0x41, count: 1 << 20)), "writing to a dead child fails instead of raising SIGPIPE")
    }

    @Test func standbyAssignmentRoundTripsThroughAPipe() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        let a = StandbyAssignment(jobFile: "/runs/x y/w000/g001/.job-1.json", logPath: "/runs/x y/w000/g001/log.txt")
        let line = try a.encodedLine()
        _ = line.withUnsafeBytes { write(fds[1], $0.baseAddress!, $0.count) }
        close(fds[1])
        #expect(try StandbyAssignment.read(from: fds[0]) == a)
        close(fds[0])
        #expect(pipe(&fds) == 0)
        close(fds[1])
        #expect(try StandbyAssignment.read(from: fds[0]) == nil)
        close(fds[0])
    }

    @Test func missingExecutableIsAClearError() {
        let e = #expect(throws: RuntimeError.self) {
            _ = try ChildProcess(executable: "/nonexistent/autolfads", arguments: [], environment: [:], logPath: TestSupport.tempDir() + "/l.txt")
        }
        #expect(e?.message.contains("/nonexistent/autolfads") == true)
    }
}

@Suite struct DeadlineTests {
    @Test func aStuckCallIsAbandonedAfterItsDeadline() async throws {
        let finished = ResumeOnce()   // claimed by the body only if its 60 s wait ever completes
        let e = await #expect(throws: RuntimeError.self) {
            try await withDeadline(0.2, "stuck call") {
                try await Task.sleep(nanoseconds: 60_000_000_000)   // throws when the deadline cancels it
                _ = finished.claim()
                return 1
            }
        }
        #expect(e?.message.contains("stuck call") == true)
        #expect(finished.claim())   // the caller got its error without the body completing
        #expect(try await withDeadline(2, "quick call") { 7 } == 7)
        await #expect(throws: ConfigError.self) { try await withDeadline(2, "failing call") { () async throws -> Int in throw ConfigError("x") } }
    }
}
