import Foundation
import Testing
import Coordination
@testable import Runtime

/// Real processes for end-to-end tests: an `autolfads server` and `autolfads client`s on one store.
final class ClusterHarness: Sendable {
    let dir: String
    let configPath: String
    let config: RunConfig
    let binary: String
    /// Every process started, so that `stopAll` can end those still running; only touched while holding `lock`
    /// (NSLock: `Mutex` needs macOS 15, the package supports macOS 13).
    private let lock = NSLock()
    nonisolated(unsafe) private var processes: [ChildProcess] = []

    /// The faults section of the tests' runs: fast heartbeats, and a heartbeat timeout with slack (a client
    /// starved of CPU for a few seconds on a loaded 2-core machine must not lose its lease, which would
    /// use up an attempt and break the tests' exact attempt counts). Tests that wait for a dead client's
    /// lease to expire wait this long.
    static func faults(maxAttempts: Int = 3) -> String {
        "{heartbeat_interval: 0.3, heartbeat_timeout: \(heartbeatTimeout), max_attempts: \(maxAttempts)}"
    }
    static let heartbeatTimeout = 8

    /// Writes `run.yaml` (toy objective, fast heartbeats) with `yaml` appended.
    init(label: String, yaml: String, store: String? = nil, objective: String = "toy",
         faults: String = ClusterHarness.faults(), stopping: String = "{enabled: false}") throws {
        dir = TestSupport.tempDir(label)
        binary = try TestSupport.autolfadsBinary()
        configPath = dir + "/run.yaml"
        var text = """
            name: \(label)
            objective: \(objective)
            storage: storage
            seed: 3
            epochs_per_generation: 2
            ramp_epochs: 0
            stopping: \(stopping)
            faults: \(faults)

            """ + yaml
        if let store { text += "\nstore: \(store)\n" }
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        config = try RunConfig.load(path: configPath)
    }

    /// Starts `autolfads args…`; with `ownProcessGroup` it leads a process group, like a command typed in a terminal.
    func start(_ args: [String], log: String, ownProcessGroup: Bool = false) throws -> ChildProcess {
        let p = try ChildProcess(executable: binary, arguments: args, environment: ProcessInfo.processInfo.environment,
                                 logPath: dir + "/" + log, ownProcessGroup: ownProcessGroup)
        lock.withLock { processes.append(p) }
        return p
    }
    func startServer(log: String = "server.log") throws -> ChildProcess { try start(["server", "--config", configPath], log: log) }
    func startClient(slots: Int, log: String, extra: [String] = []) throws -> ChildProcess {
        try start(["client", "--store", config.store, "--run", config.name, "--slots", String(slots)] + extra, log: log)
    }

    func openStore() async throws -> any CoordinationStore {
        try FileManager.default.createDirectory(atPath: config.runDirectory, withIntermediateDirectories: true)
        return try await openCoordinationStore(config.store)
    }

    /// Polls `condition` until true; fails the test with `what` after `timeout` seconds.
    func wait(_ what: String, timeout: Double = 60, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw RuntimeError("timed out after \(timeout) s waiting for: \(what)\n\(logs())")
    }

    /// Waits for a process to exit (killing it after `timeout`).
    func exit(of p: ChildProcess, timeout: Double = 90) async -> ChildExit {
        let deadline = Date().addingTimeInterval(timeout)
        while p.exit == nil && Date() < deadline { try? await Task.sleep(nanoseconds: 100_000_000) }
        if p.exit == nil { return await p.terminate(grace: 2) }
        return await p.wait()
    }

    func logs() -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".log") }.sorted().map { n in
            let text = (try? String(contentsOfFile: dir + "/" + n, encoding: .utf8)) ?? ""
            return "--- \(n)\n" + text.split(separator: "\n").suffix(30).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    func stopAll() async { for p in lock.withLock({ processes }) where p.exit == nil { _ = await p.terminate(grace: 2) } }

    /// Store rows of the run: the training jobs (not the final step's, see `finalStep`).
    func snapshot(_ store: any CoordinationStore) async throws -> (RunRecord, [JobRecord], [WorkerRecord]) {
        guard let run = try await store.run(named: config.name) else { throw RuntimeError("run \(config.name) not in store") }
        return (run, try await store.jobs(run: run.id, generation: nil).filter { !$0.isFinalStep }, try await store.workers(run: run.id))
    }

    /// The latest try of the run's final step, if it was enqueued.
    func finalStep(_ store: any CoordinationStore) async throws -> JobRecord? {
        guard let run = try await store.run(named: config.name) else { throw RuntimeError("run \(config.name) not in store") }
        return JobRecord.finalStep(in: try await store.jobs(run: run.id, generation: nil))
    }

    /// Asserts a finished run: every worker-generation trained exactly once, logs complete, best exported.
    func expectCompleteRun(_ store: any CoordinationStore, workers: Int, generations: Int) async throws -> [JobRecord] {
        let (run, jobs, _) = try await snapshot(store)
        #expect(run.status == .done, "\(logs())")
        #expect(jobs.count == workers * generations)
        #expect(jobs.allSatisfy { $0.status == .done })
        #expect(try await finalStep(store)?.status == .done, "the final step is a job that a client ran")
        #expect(Set(jobs.map { [$0.worker, $0.generation] }).count == jobs.count)
        let st = SharedStorage(rootPath: config.storage)
        let decisions = try CSVLog.read(try st.decisionsCSV(run: config.name)).dropFirst()
        #expect(decisions.count == workers * (generations - 1))
        #expect(Set(decisions.map { [$0[0], $0[1]] }).count == decisions.count)
        let hp = try CSVLog.read(try st.hpLogCSV(run: config.name)).dropFirst()
        #expect(hp.count == workers * generations)
        let best = try st.bestDirectory(run: config.name)
        for f in ["checkpoint.bin", "hps.json", "summary.json", "toy_output.json", "posterior.log"] {
            #expect(FileManager.default.fileExists(atPath: best.appendingPathComponent(f).path), "best/\(f)")
        }
        for j in jobs {
            #expect(FileManager.default.fileExists(atPath: try st.checkpoint(run: config.name, worker: j.worker, generation: j.generation).path))
        }
        return jobs
    }
}
