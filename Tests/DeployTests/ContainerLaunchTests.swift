import Testing
@testable import Deploy

@Suite struct ContainerLaunchTests {
    @Test func workerLaunchBecomesPodmanRunArgv() throws {
        let l = ContainerLaunch(image: "localhost/autolfads:latest", cpus: 2, memory: "4g", storage: "/shared/runs")
        let env = ["OPENBLAS_CORETYPE": "SkylakeX", "OPENBLAS_NUM_THREADS": "2", "PATH": "/usr/bin",
                   "HOME": "/root", "PGPASSWORD": "s3cret", "AUTOLFADS_BLAS_CORETYPE": "keep"]
        let w = try l.wrap(arguments: ["worker", "--job-file", "/shared/runs/runs/r/w00/.job-1.json"], environment: env)
        #expect(w.executable == "podman")
        #expect(w.arguments == [
            "run", "--rm", "--cpus", "2", "--memory", "4g", "--network", "host",
            "-v", "/shared/runs:/shared/runs",
            "-e", "AUTOLFADS_BLAS_CORETYPE", "-e", "OPENBLAS_CORETYPE", "-e", "OPENBLAS_NUM_THREADS",
            "localhost/autolfads:latest", "worker", "--job-file", "/shared/runs/runs/r/w00/.job-1.json",
        ])
        // Asked to forward credentials (a client inside), the password goes by name, its value nowhere.
        let c = try l.wrap(arguments: ["client"], environment: env, secrets: true)
        #expect(c.arguments.contains("PGPASSWORD") && !c.arguments.contains { $0.contains("s3cret") })
    }

    @Test func hostileValuesStaySingleArguments() throws {
        let l = ContainerLaunch(engine: "/usr/bin/docker", image: "img", cpus: 0.5, storage: "/data/my runs",
                                extraMounts: [.init(host: "/opt/lfads", container: "/ds", readOnly: true)], network: nil, commandInImage: "/usr/local/bin/autolfads")
        let a = try l.argv(arguments: ["worker", "--job-file", "/data/my runs/$(rm -rf)/j.json"],
                           environment: ["AUTOLFADS_X": "a b; `id` $(x)\nnext"])
        #expect(a.first == "/usr/bin/docker")
        #expect(a.contains("--cpus") && a[a.firstIndex(of: "--cpus")! + 1] == "0.5")
        #expect(!a.contains("--network"))
        #expect(a.contains("/data/my runs:/data/my runs"))
        #expect(a.contains("/opt/lfads:/ds:ro"))
        #expect(a.contains("AUTOLFADS_X") && !a.contains { $0.contains("`id`") }, "values travel in the environment")
        #expect(a.last == "/data/my runs/$(rm -rf)/j.json")
        #expect(Array(a.suffix(5)) == ["img", "/usr/local/bin/autolfads", "worker", "--job-file", "/data/my runs/$(rm -rf)/j.json"])
    }

    @Test func badInputsAreClearErrors() {
        func err(_ f: () throws -> Any) -> String? { do { _ = try f(); return nil } catch { return "\(error)" } }
        let ok = ContainerLaunch(image: "img", storage: "/s")
        var l = ok; l.memory = "lots"
        #expect(err { try l.argv(arguments: [], environment: [:]) }?.contains("container memory \"lots\"") == true)
        l = ok; l.cpus = 0
        #expect(err { try l.argv(arguments: [], environment: [:]) }?.contains("cpus") == true)
        l = ContainerLaunch(image: "img", storage: "relative/dir")
        #expect(err { try l.argv(arguments: [], environment: [:]) }?.contains("absolute") == true)
        l = ContainerLaunch(image: "img", storage: "/a:b")
        #expect(err { try l.argv(arguments: [], environment: [:]) }?.contains("':'") == true)
        l = ContainerLaunch(image: "--privileged", storage: "/s")
        #expect(err { try l.argv(arguments: [], environment: [:]) }?.contains("image") == true)
        #expect(err { try ok.argv(arguments: [], environment: ["1BAD": "x"]) }?.contains("1BAD") == true)
        #expect(err { try ok.argv(arguments: [], environment: ["A=B": "x"]) }?.contains("A=B") == true)
    }

    @Test func onlyWorkerRelevantEnvironmentIsForwarded() {
        let env = ["PATH": "/x", "OMP_NUM_THREADS": "1", "LD_PRELOAD": "evil.so", "AUTOLFADS_DB_PASSWORD": "p",
                   "PGPASSWORD": "q", "AUTOLFADS_DASHBOARD_TOKEN": "t", "HOME": "/h"]
        #expect(ContainerLaunch.forwardedEnvironment(env) == ["OMP_NUM_THREADS": "1"])
        #expect(ContainerLaunch.forwardedEnvironment(env, secrets: true)
                == ["OMP_NUM_THREADS": "1", "AUTOLFADS_DB_PASSWORD": "p", "PGPASSWORD": "q", "AUTOLFADS_DASHBOARD_TOKEN": "t"])
    }
}

@Suite struct WorkerRuntimeTests {
    @Test func processRuntimeLeavesTheLaunchAlone() throws {
        let s = WorkerRuntimeSettings(storage: "/st")
        let l = try s.launch(executable: "/usr/bin/autolfads", arguments: ["worker", "--job-file", "/st/j.json"], environment: ["A": "1"])
        #expect(l.executable == "/usr/bin/autolfads" && l.arguments == ["worker", "--job-file", "/st/j.json"] && l.environment == ["A": "1"])
        let s2 = try s.launch(executable: "/usr/bin/autolfads", arguments: [], environment: ["A": "1", "AUTOLFADS_DB_PASSWORD": "x"])
        #expect(s2.environment == ["A": "1"], "a worker gets no credentials")
    }

    @Test func containerRuntimeWrapsTheWorker() throws {
        let s = WorkerRuntimeSettings(runtime: .container, image: "localhost/autolfads:test", cpus: 1, memory: "2g", storage: "/st")
        let env = ["PATH": "/usr/bin", "OPENBLAS_NUM_THREADS": "1"]
        let l = try s.launch(executable: "/usr/bin/autolfads", arguments: ["worker", "--job-file", "/st/j.json"],
                             environment: env.merging(["PGPASSWORD": "pw", "AUTOLFADS_DB_PASSWORD": "pw"]) { a, _ in a })
        #expect(l.executable == "podman")
        #expect(l.arguments == ["run", "--rm", "--cpus", "1", "--memory", "2g", "--network", "host", "-v", "/st:/st",
                                "-e", "OPENBLAS_NUM_THREADS", "localhost/autolfads:test", "worker", "--job-file", "/st/j.json"])
        #expect(l.environment == env, "the engine and the worker get no credentials")
        #expect(WorkerRuntime(rawValue: "container") == .container && WorkerRuntime(rawValue: "docker") == nil)
    }
}
