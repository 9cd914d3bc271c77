import Foundation
import Testing
import TestSupport
@testable import Runtime

/// A real full disk: a 256 KiB tmpfs (needs root and mount rights, as on CI and the dev machines;
/// skipped elsewhere). Writes fail with one clear error and a non-zero exit, and nothing that was
/// already there is damaged or left half-written.
@Suite(.serialized, .enabled(if: SmallDisk.canMount)) struct FullDiskTests {
    @Test func dataSynthOnAFullDiskKeepsTheOldFile() async throws {
        let disk = try SmallDisk()
        defer { disk.unmount() }
        let target = disk.path + "/lorenz.h5"
        try "previous contents".write(toFile: target, atomically: false, encoding: .utf8)
        let (status, err) = try await disk.autolfads(["data", "synth", "lorenz", "--out", target])
        #expect(status == 1)
        #expect(err.split(separator: "\n").count == 1 && err.contains("disk full"), "\(err)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "previous contents")
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path) == ["lorenz.h5"], "no temporary left behind")
    }

    @Test func trainingOnAFullDiskFailsClearlyWithoutAPartialCheckpoint() async throws {
        let disk = try SmallDisk()
        defer { disk.unmount() }
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../data/lorenz_small.h5").standardizedFileURL.path
        let out = disk.path + "/model"
        let (status, err) = try await disk.autolfads(["train", "--data", data, "--out", out, "max_epochs=1", "gen_dim=8", "fac_dim=4"])
        #expect(status == 1)
        #expect(err.split(separator: "\n").count == 1 && err.contains("checkpoint") && err.contains("No space left"), "\(err)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(!files.contains { $0.hasSuffix(".ckpt") || $0.contains(".tmp") }, "\(files)")
    }
}

extension FullDiskTests {
    /// A run whose shared storage fills up (with the SQLite store on the same disk, or elsewhere) stops
    /// with the fix, no worker is marked bad for it; after space is freed the same command resumes the
    /// run, and every worker-generation is trained, logged and decided exactly once.
    @Test(arguments: [true, false]) func runStopsOnAFullDiskAndResumesAfterSpaceIsFreed(storeOnTheFullDisk: Bool) async throws {
        let label = "full-disk-run-\(storeOnTheFullDisk ? "all" : "storage")"
        let elsewhere = storeOnTheFullDisk ? nil : "sqlite://" + TestSupport.tempDir("full-disk-store") + "/coordination.db"
        // max_attempts 1: a disk-full failure that used up an attempt would mark its worker bad at once.
        let h = try ClusterHarness(label: label, yaml: "population: 4\nmax_generations: 30\ntoy: {epoch_seconds: 0.01}\n",
                                   store: elsewhere, faults: ClusterHarness.faults(maxAttempts: storeOnTheFullDisk ? 3 : 1))
        defer { Task { await h.stopAll() } }
        let disk = try SmallDisk(at: h.config.storage, size: storeOnTheFullDisk ? "320k" : "160k")
        defer { disk.unmount() }
        let args = ["run", "--config", h.configPath, "--no-dashboard", "--slots", "2"]
        let first = try h.start(args, log: "run-1.log")
        #expect(await h.exit(of: first, timeout: 120) == .exited(1))
        let out = try String(contentsOfFile: h.dir + "/run-1.log", encoding: .utf8)
        let errors = out.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1 && errors[0].contains("free space there and run the same command again"), "\(out)")
        // Whichever write found it full (a worker's, the client's job file, the server's logs), it is named.
        if !storeOnTheFullDisk { #expect(errors.first?.contains(h.config.storage) == true, "\(out)") }
        try disk.grow(to: "64m")
        let second = try h.start(args, log: "run-2.log")
        #expect(await h.exit(of: second, timeout: 120) == .exited(0), "\(h.logs())")
        let store = try await h.openStore()
        _ = try await h.expectCompleteRun(store, workers: 4, generations: 30)
        let (_, jobs, workers) = try await h.snapshot(store)
        #expect(workers.allSatisfy { $0.status == .ok }, "no worker is marked bad for a full disk: \(jobs.compactMap(\.error)) \(h.logs())")
        await store.close()
    }
}

/// A tmpfs of `size` mounted on a fresh temporary directory.
struct SmallDisk {
    let path: String

    static let canMount: Bool = {
        guard getuid() == 0, let d = try? SmallDisk() else { return false }
        d.unmount()
        return true
    }()

    init(at dir: String? = nil, size: String = "256k") throws {
        path = dir ?? TestSupport.tempDir("full-disk")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let (status, _) = Self.runBlocking("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        if status != 0 { throw RuntimeError("cannot mount a tmpfs at \(path)") }
    }

    func unmount() { _ = Self.runBlocking("/bin/umount", [path]) }

    /// Frees space: the same files on a larger disk.
    func grow(to size: String) throws {
        let (status, _) = Self.runBlocking("/bin/mount", ["-o", "remount,size=\(size)", path])
        if status != 0 { throw RuntimeError("cannot remount \(path) with size \(size)") }
    }

    /// Runs `autolfads` and returns its exit status and standard error.
    func autolfads(_ args: [String]) async throws -> (Int32, String) {
        let errPath = TestSupport.tempDir("full-disk-log") + "/stderr"
        let p = try ChildProcess(executable: try TestSupport.autolfadsBinary(), arguments: args,
                                 environment: ProcessInfo.processInfo.environment, logPath: errPath)
        let exit = await p.wait()
        let text = try String(contentsOfFile: errPath, encoding: .utf8)
        let errors = text.split(separator: "\n").filter { $0.hasPrefix("Error:") }.joined(separator: "\n")
        guard case .exited(let code) = exit else { return (-1, text) }
        return (code, errors)
    }

    /// Runs `exe args` to the end (mount and umount return at once); blocking, for the synchronous initialiser.
    static func runBlocking(_ exe: String, _ args: [String]) -> (Int32, String) {
        do {
            let r = try TestProcess(exe, args).waitBlocking(seconds: 60)
            return (r.status, r.stderr)
        } catch { return (-1, "\(error)") }
    }
}
