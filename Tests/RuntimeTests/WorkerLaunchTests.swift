import Deploy
import Foundation
import Testing
@testable import Runtime

/// `--runtime process|container`: what a client spawns for one worker job.
struct WorkerLaunchTests {
    let env = ["PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "2", "HOME": "/root"]

    @Test func processModeSpawnsTheWorkerExecutable() throws {
        var o = ClientOptions(slots: 1, executable: "/opt/bin/autolfads")
        for rt in [nil, WorkerRuntimeSettings(runtime: .process, storage: "/x")] {
            o.workerRuntime = rt
            let l = try WorkerLaunch.resolve(options: o, jobFile: "/s/runs/r/job.json", environment: env, storage: "/s")
            #expect(l.executable == "/opt/bin/autolfads")
            #expect(l.arguments == ["worker", "--job-file", "/s/runs/r/job.json"])
            #expect(l.environment == env)
        }
    }

    @Test func containerModeWrapsTheWorkerInTheEngine() throws {
        let bin = TestSupport.tempDir("engine")
        let engine = bin + "/podman"
        _ = FileManager.default.createFile(atPath: engine, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        var o = ClientOptions(slots: 1, executable: "/opt/bin/autolfads")
        o.workerRuntime = WorkerRuntimeSettings(runtime: .container, engine: "podman", image: "localhost/autolfads:test",
                                                cpus: 2, memory: "4g", storage: "")
        var e = env; e["PATH"] = bin + ":/usr/bin"
        let l = try WorkerLaunch.resolve(options: o, jobFile: "/shared/runs/r/w000/g000/.job-1.json", environment: e, storage: "/shared")
        #expect(l.executable == engine)
        let a = l.arguments
        #expect(Array(a.prefix(2)) == ["run", "--rm"] || Array(a.prefix(3)) == ["podman", "run", "--rm"], "\(a)")
        let i = try #require(a.firstIndex(of: "localhost/autolfads:test"))
        #expect(Array(a[(i + 1)...]).suffix(3) == ["worker", "--job-file", "/shared/runs/r/w000/g000/.job-1.json"], "\(a)")
        #expect(a.contains("--cpus") && a.contains("2") && a.contains("--memory") && a.contains("4g"), "\(a)")
        #expect(a.contains("/shared:/shared"), "storage mounted at the same path: \(a)")
        #expect(a.contains("OPENBLAS_NUM_THREADS") && !a.contains("HOME"), "\(a)")
        #expect(l.environment["OPENBLAS_NUM_THREADS"] == "2", "the engine gets the values it forwards by name")
    }

    @Test func missingEngineIsAOneLineError() throws {
        var o = ClientOptions(slots: 1, executable: "/opt/bin/autolfads")
        o.workerRuntime = WorkerRuntimeSettings(runtime: .container, engine: "no-such-engine-xyz", storage: "")
        #expect(throws: RuntimeError.self) {
            try WorkerLaunch.resolve(options: o, jobFile: "/s/j.json", environment: ["PATH": "/nonexistent"], storage: "/s")
        }
    }
}
