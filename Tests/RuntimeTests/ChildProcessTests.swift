import Foundation
import Testing
@testable import Runtime

@Suite struct ChildProcessTests {
    @Test func blasEnvironmentForChildren() {
        let avx = ChildEnvironment.make(base: ["PATH": "/bin"], threads: 2, cpuHasAVX512: true)
        #expect(avx["OPENBLAS_CORETYPE"] == "SkylakeX")
        #expect(avx["OPENBLAS_NUM_THREADS"] == "2" && avx["OMP_NUM_THREADS"] == "2" && avx["PATH"] == "/bin")
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
