import Foundation
import Testing
@testable import Runtime

@Suite struct ChildProcessTests {
    @Test func blasEnvironmentForChildren() {
        let avx = ChildEnvironment.make(base: ["PATH": "/bin"], threads: 2, cpuHasAVX512F: true)
        #expect(avx["OPENBLAS_CORETYPE"] == "SkylakeX")
        #expect(avx["OPENBLAS_NUM_THREADS"] == "2" && avx["OMP_NUM_THREADS"] == "2" && avx["PATH"] == "/bin")
        #expect(ChildEnvironment.make(base: [:], threads: 1, cpuHasAVX512F: false)["OPENBLAS_CORETYPE"] == nil)
        #expect(ChildEnvironment.make(base: ["AUTOLFADS_BLAS_CORETYPE": "keep"], threads: 1, cpuHasAVX512F: true)["OPENBLAS_CORETYPE"] == nil)
        #expect(ChildEnvironment.make(base: ["AUTOLFADS_BLAS_CORETYPE": "Haswell"], threads: 1, cpuHasAVX512F: true)["OPENBLAS_CORETYPE"] == "Haswell")
        #expect(ChildEnvironment.make(base: ["OPENBLAS_CORETYPE": "Zen"], threads: 1, cpuHasAVX512F: true)["OPENBLAS_CORETYPE"] == "Zen")
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
        let t0 = Date()
        let st = await sleeper.terminate(grace: 2)
        #expect(st == .signaled(SIGTERM), "\(st)")
        #expect(Date().timeIntervalSince(t0) < 10)
    }

    @Test func missingExecutableIsAClearError() {
        let e = #expect(throws: RuntimeError.self) {
            _ = try ChildProcess(executable: "/nonexistent/autolfads", arguments: [], environment: [:], logPath: TestSupport.tempDir() + "/l.txt")
        }
        #expect(e?.message.contains("/nonexistent/autolfads") == true)
    }
}
