import Foundation
import Testing
@testable import Runtime

/// Credentials never reach an argv, a generated script or a log, and workers get none: a real run on a
/// password-protected PostgreSQL with containerised workers (through a stand-in engine that records its
/// invocations and starts the worker with only the variables it was told to forward, as podman does).
@Suite(.serialized) struct ContainerSecretTests {
    let password = "pw-\(UUID().uuidString)"
    let token = "tok-\(UUID().uuidString)"

    /// Every process's argv on this machine, NUL separators as spaces, by pid.
    static func allCommandLines() -> [(pid: Int32, argv: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.compactMap { p in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(p)/cmdline"), !raw.isEmpty else { return nil }
            return (p, String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self))
        }
    }

    /// A stand-in for podman: logs its argv, refuses `-e NAME=value`, then runs the command after the
    /// image with a clean environment holding only the `-e NAME` variables (values from its own environment).
    static func writeEngine(dir: String, binary: String) throws -> String {
        let path = dir + "/engine"
        try """
            #!/bin/bash
            printf '%s\\n' "$*" >>'\(dir)/engine.log'
            shift   # run
            keep=()
            while (($#)); do
              case "$1" in
                --rm) shift ;;
                --cpus|--memory|--network|-v) shift 2 ;;
                -e|--env) if [[ $2 == *=* ]]; then echo "engine: a value on the command line: $2" >&2; exit 97; fi
                          if [[ -v $2 ]]; then keep+=("$2=${!2}"); fi; shift 2 ;;
                *) break ;;
              esac
            done
            shift   # the image
            if [[ $1 == worker ]]; then   # the worker's whole environment, as it starts (no timing involved)
              env -i PATH="$PATH" HOME="$HOME" "${keep[@]}" /usr/bin/env >"\(dir)/worker-env.$$"
            fi
            exec env -i PATH="$PATH" HOME="$HOME" "${keep[@]}" '\(binary)' "$@"

            """.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func containerisedRunKeepsThePasswordOutOfEveryArgvFileAndWorker() async throws {
        let pg = try await LocalPostgres(password: password)
        defer { pg.destroy() }
        let dir = TestSupport.tempDir("secrets")
        let binary = try TestSupport.autolfadsBinary()
        let engine = try Self.writeEngine(dir: dir, binary: binary)
        try """
            name: secrets
            objective: toy
            storage: \(dir)/storage
            store: \(pg.url)
            population: 2
            epochs_per_generation: 2
            max_generations: 2
            toy: {epoch_seconds: 1.5}   # 3 s jobs: long enough to catch each worker running on a loaded machine
            stopping: {enabled: false}
            faults: {heartbeat_interval: 0.3, heartbeat_timeout: 10, max_attempts: 2}
            """.write(toFile: dir + "/run.yaml", atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env["AUTOLFADS_DB_PASSWORD"] = password
        env["PGPASSWORD"] = password
        env["AUTOLFADS_DASHBOARD_TOKEN"] = token
        let run = try ChildProcess(executable: binary, arguments: [
            "run", "--config", dir + "/run.yaml", "--slots", "2", "--dashboard-port", "0",
            "--runtime", "container", "--image", "localhost/autolfads:test", "--container-engine", engine,
        ], environment: env, logPath: dir + "/run.log")
        var leaks: [String] = [], workersSeen = 0, workersWithSecrets: [String] = []
        let deadline = Date().addingTimeInterval(180)
        while run.exit == nil && Date() < deadline {
            for (pid, argv) in Self.allCommandLines() {
                if argv.contains(password) || argv.contains(token) { leaks.append("pid \(pid): \(argv)") }
                guard argv.contains(" worker --job-file \(dir)/") else { continue }
                guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
                workersSeen += 1
                let environ = String(decoding: raw.map { $0 == 0 ? 10 : $0 }, as: UTF8.self)
                if environ.contains(password) || environ.contains(token) || environ.contains("PASSWORD") {
                    workersWithSecrets.append("pid \(pid)")
                }
            }
            try await Task.sleep(nanoseconds: 30_000_000)
        }
        let exit = run.exit == nil ? await run.terminate(grace: 2) : await run.wait()
        let log = (try? String(contentsOfFile: dir + "/run.log", encoding: .utf8)) ?? ""
        #expect(exit == .exited(0), "\(log)")
        #expect(leaks.isEmpty, "\(leaks)")
        // The /proc scan sees the workers that ran long enough to be caught (not asserted: a loaded machine
        // can miss them all); the environment each worker started with is recorded by the engine.
        #expect(workersWithSecrets.isEmpty, "workers with credentials (\(workersSeen) seen running): \(workersWithSecrets)")
        let envFiles = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("worker-env.") }
        #expect(envFiles.count >= 4, "one recorded environment per containerised worker: \(envFiles)")
        for f in envFiles {
            let e = (try? String(contentsOfFile: dir + "/" + f, encoding: .utf8)) ?? ""
            #expect(!e.isEmpty && !e.contains(password) && !e.contains(token) && !e.contains("PASSWORD"), "\(f): \(e)")
        }
        let engineLog = (try? String(contentsOfFile: dir + "/engine.log", encoding: .utf8)) ?? ""
        #expect(engineLog.components(separatedBy: " worker --job-file ").count - 1 >= 4, "\(engineLog)")
        #expect(!engineLog.contains("PASSWORD") && !engineLog.contains("DASHBOARD_TOKEN"), "workers are not even told the names")
        // No file the run wrote (logs, job files, results, report, scripts) holds a credential.
        #expect(try Self.filesContaining([password, token], under: dir).isEmpty)
    }

    @Test func containerRunPrintShowsNamesNotValues() async throws {
        let dir = TestSupport.tempDir("secrets-print")
        var env = ProcessInfo.processInfo.environment
        env["AUTOLFADS_DB_PASSWORD"] = password
        env["AUTOLFADS_DASHBOARD_TOKEN"] = token
        let out = dir + "/print.log"
        let p = try ChildProcess(executable: try TestSupport.autolfadsBinary(), arguments: [
            "container", "run", "--print", "--storage", dir, "--", "client", "--store", "postgres://u@db:5432/x",
        ], environment: env, logPath: out)
        let exit = await p.wait()
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n").map(String.init)
        #expect(exit == .exited(0), "\(text)")
        #expect(lines.contains("AUTOLFADS_DB_PASSWORD") && lines.contains("AUTOLFADS_DASHBOARD_TOKEN"), "\(text)")
        #expect(!text.contains(password) && !text.contains(token), "\(text)")
    }

    @Test func slurmScriptsHoldNoCredentials() async throws {
        let dir = TestSupport.tempDir("secrets-slurm")
        try "name: sl\nobjective: toy\nstorage: \(dir)/storage\nstore: postgres://u@db:5432/x\n"
            .write(toFile: dir + "/run.yaml", atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env["AUTOLFADS_DB_PASSWORD"] = password
        env["PGPASSWORD"] = password
        let p = try ChildProcess(executable: try TestSupport.autolfadsBinary(), arguments: [
            "slurm", "submit", "--config", dir + "/run.yaml", "--clients", "2", "--dry-run",
        ], environment: env, logPath: dir + "/slurm.log")
        let exit = await p.wait()
        let text = (try? String(contentsOfFile: dir + "/slurm.log", encoding: .utf8)) ?? ""
        #expect(exit == .exited(0), "\(text)")
        #expect(text.contains("sbatch") || text.contains("#SBATCH"), "\(text)")
        #expect(try Self.filesContaining([password], under: dir).isEmpty)
    }

    /// Regular files under `root` whose bytes contain any of `needles`.
    static func filesContaining(_ needles: [String], under root: String) throws -> [String] {
        var hits: [String] = []
        let e = FileManager.default.enumerator(atPath: root)
        while let rel = e?.nextObject() as? String {
            let path = root + "/" + rel
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            if needles.contains(where: { data.range(of: Data($0.utf8)) != nil }) { hits.append(rel) }
        }
        return hits
    }
}
