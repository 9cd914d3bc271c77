import Foundation
import Testing
import TestSupport

/// `container run --print` and `slurm submit --dry-run`: what they would start, with no engine or Slurm needed.
@Suite struct DeployCLITests {
    @Test func containerRunPrintsTheArgv() async throws {
        let dir = try CLI.tempDir("container")
        let r = try await CLI.run(["container", "run", "--storage", dir, "--cpus", "2", "--memory", "4g", "--print", "--",
                                   "train", "--data", dir + "/d.h5"])
        r.expectSuccess(firstLine: "podman", "container run --print")
        let argv = r.stdoutLines.map(String.init)
        #expect(argv.contains("localhost/autolfads:latest") && argv.contains("train") && argv.last == dir + "/d.h5", "\(argv)")
        #expect(argv.contains { $0.contains("\(dir):\(dir)") }, "storage is mounted at the same path: \(argv)")
        try await CLI.run(["container", "run", "--storage", dir, "--image=-x", "--print", "--", "train"])
            .expectError(["-x", "image"], "container run with an invalid image")
        try await CLI.run(["container", "run", "--storage", dir, "--cpus=-1", "--print", "--", "train"])
            .expectError(["cpus -1"], "container run --cpus=-1")
    }

    /// The container engine is a child of a synchronous command: it must start with SIGINT and SIGTERM
    /// deliverable (Ctrl-C and `kill` reach it), whatever thread the command runs on.
    @Test func containerEngineStartsWithSignalsUnblocked() async throws {
        let dir = try CLI.tempDir("engine-mask")
        let engine = dir + "/fake-engine"
        try "#!/bin/sh\ngrep SigBlk /proc/self/status > \(dir)/mask\n".write(toFile: engine, atomically: true, encoding: .utf8)
        chmod(engine, 0o755)
        let r = try await CLI.run(["container", "run", "--storage", dir, "--engine", engine, "--", "status"])
        #expect(r.status == 0, "\(r)")
        let line = try String(contentsOfFile: dir + "/mask", encoding: .utf8)
        let mask = try #require(UInt64(line.split(separator: ":").last!.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16), "\(line)")
        for sig in [SIGINT, SIGTERM] { #expect(mask & (UInt64(1) << UInt64(sig - 1)) == 0, "signal \(sig) blocked in the engine: \(line)") }
    }

    @Test func slurmDryRunWritesScripts() async throws {
        let dir = try CLI.tempDir("slurm")
        try "name: slurm-cli\nstorage: \(dir)/shared\n".write(toFile: dir + "/run.yaml", atomically: true, encoding: .utf8)
        let r = try await CLI.run(["slurm", "submit", "--config", dir + "/run.yaml", "--clients", "2", "--slots", "3",
                                   "--partition", "cpu", "--dry-run"])
        r.expectSuccess(firstLine: "# \(dir)/shared/runs/slurm-cli/slurm/", "slurm submit --dry-run")
        #expect(r.stdout.contains("#SBATCH") && r.stdout.contains("--array=0-1") && r.stdout.contains("--partition=cpu"), "\(r.stdout)")
        let scripts = (try? FileManager.default.contentsOfDirectory(atPath: "\(dir)/shared/runs/slurm-cli/slurm")) ?? []
        #expect(scripts.filter { $0.hasSuffix(".sh") || $0.hasSuffix(".sbatch") }.count >= 2, "\(scripts)")
        try await CLI.run(["slurm", "submit", "--config", dir + "/run.yaml", "--server-on-login", "--server-job", "--dry-run"])
            .expectError(["--server-on-login", "--server-job"], status: 64, "slurm submit with both server placements")
        try await CLI.run(["slurm", "submit", "--config", dir + "/missing.yaml", "--dry-run"])
            .expectError(["missing.yaml"], "slurm submit with a missing config")
        // The run's own defaults (the one run-config parser): no storage → the config's directory; a toy run
        // without a name is `toy`; `key=value` overrides as for `autolfads run`.
        try "objective: toy\n".write(toFile: dir + "/toy.yaml", atomically: true, encoding: .utf8)
        try await CLI.run(["slurm", "submit", "--config", dir + "/toy.yaml", "--dry-run"])
            .expectSuccess(firstLine: "# \(dir)/runs/toy/slurm/", "slurm submit with the runtime's defaults")
        try await CLI.run(["slurm", "submit", "--config", dir + "/toy.yaml", "--dry-run", "name=other"])
            .expectSuccess(firstLine: "# \(dir)/runs/other/slurm/", "slurm submit with a name override")
        // A run that an earlier version put under <config dir>/autolfads-runs (its default then) stays there.
        try FileManager.default.createDirectory(atPath: dir + "/autolfads-runs/runs/old", withIntermediateDirectories: true)
        let old = try await CLI.run(["slurm", "submit", "--config", dir + "/toy.yaml", "--dry-run", "name=old"])
        old.expectSuccess(firstLine: "note: run 'old' exists under \(dir)/autolfads-runs", "slurm submit of a run in the old default storage")
        #expect(old.stdout.contains("# \(dir)/autolfads-runs/runs/old/slurm/") && old.stdout.contains("--storage \(dir)/autolfads-runs"), "\(old.stdout)")
    }
}
