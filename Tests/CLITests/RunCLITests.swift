import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// A real `autolfads run` (tiny LFADS model, 2 workers, 1 generation, run-level overrides on the
/// command line), then `status`, `report`, `evaluate` and `dashboard` on it; `server` + `client` on
/// the toy objective; one error each.
@Suite(.serialized) struct RunCLITests {
    /// The run, trained once for the tests of this suite.
    struct Run: Sendable { let dir: String; let config: String; let storage: String; let runDir: String; let output: ProcessOutput }

    static let shared = Task<Run, Error> {
        let dir = try CLI.tempDir("run")
        let config = dir + "/run.yaml"
        try """
            name: from-file
            data: \(CLI.lorenzSmall)
            population: 4
            max_generations: 5
            epochs_per_generation: 2
            ramp_epochs: 0
            posterior_samples: 2
            stopping: {enabled: false}
            model: {gen_dim: 8, fac_dim: 3, ic_enc_dim: 8, ci_enc_dim: 4, con_dim: 4, co_dim: 1, ic_dim: 4, batch_size: 64}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        // --name, --storage, --population and --generations override the file.
        let out = try await CLI.run(["run", "--config", config, "--name", "cli", "--storage", dir + "/store",
                                     "--population", "2", "--generations", "1", "--slots", "2", "--no-dashboard"], seconds: 300)
        return Run(dir: dir, config: config, storage: dir + "/store", runDir: dir + "/store/runs/cli", output: out)
    }

    @Test func runWithOverrides() async throws {
        let run = try await Self.shared.value
        let r = run.output
        #expect(r.status == 0 && !r.timedOut, "\(r)")
        #expect(r.stdout.contains("run cli finished") && r.stdout.contains("after 1 generation(s)"), "\(r.stdout)")
        #expect(r.stdout.contains("outputs: ") && r.stdout.contains("report: "), "\(r.stdout)")
        #expect(FileManager.default.fileExists(atPath: run.runDir + "/best/lfads_output_lorenz_small.h5"))
        #expect(!FileManager.default.fileExists(atPath: run.dir + "/store/runs/from-file"), "--name overrides the file's name")
    }

    @Test func statusReportEvaluate() async throws {
        let run = try await Self.shared.value
        let store = "sqlite://\(run.runDir)/coordination.db"
        let s = try await CLI.run(["status", "--store", store, "cli"])
        s.expectSuccess(firstLine: "run cli: done, generation ", "status")
        #expect(s.stdout.contains("of 1, 2 workers"), "--population/--generations reached the stored config: \(s.stdout)")
        // threads_per_slot auto: the machine's cores shared by the 2 busy slots.
        let threads = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
        #expect(s.stdout.contains("2 slots × \(threads) training threads"), "status shows the workers' threads: \(s.stdout)")
        let viaConfig = try await CLI.run(["status", "--config", run.config, "cli"], directory: run.dir)
        #expect(viaConfig.status == 1, "the file's storage has no run 'cli' (its runs are under --storage): \(viaConfig)")
        try await CLI.run(["status", "--store", store, "nope"]).expectError(["nope", "runs there: cli"], "status of an unknown run")

        let html = run.dir + "/report-cli.html"
        let rep = try await CLI.run(["report", run.runDir, "--out", html])
        rep.expectSuccess(firstLine: "report: \(html) (", "report")
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("<svg"), "the report has inline figures")
        try await CLI.run(["report", run.dir + "/no-such-run"]).expectError(["no-such-run"], "report of a missing run directory")

        let e = try await CLI.run(["evaluate", run.runDir, "--baseline", "smoothing"], seconds: 120)
        e.expectSuccess(firstLine: "lfads_output_lorenz_small.h5: valid split", "evaluate a run directory")
        #expect(e.stdout.contains("smoothing"), "\(e.stdout)")
        try await CLI.run(["evaluate", run.runDir, "--baseline", "smoothing", "--smoothing-kernel-ms", "0"])
            .expectError(["--smoothing-kernel-ms"], "evaluate with a zero kernel")
    }

    @Test func dashboardServesTheRunUntilSIGTERM() async throws {
        let run = try await Self.shared.value
        let p = try CLI.start(["dashboard", "--run-dir", run.runDir, "--port", "0"])
        let up = await p.waitForOutput(seconds: 60) { out, _ in out.contains("dashboard: http://127.0.0.1:") }
        try #require(up, "the dashboard did not print its address: \(p.stdoutSoFar) \(p.stderrSoFar)")
        let line = p.stdoutSoFar.split(separator: "\n").first { $0.hasPrefix("dashboard: ") }!
        let url = try #require(URL(string: String(line.dropFirst("dashboard: ".count))))
        let (data, response) = try await URLSession.shared.data(from: url)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let page = String(decoding: data, as: UTF8.self)
        #expect(page.contains("<html") && page.contains("cli"), "the page names the run: \(page.prefix(300))")
        p.signal(SIGTERM)
        let r = await p.wait(seconds: 30)
        #expect(!r.timedOut && (r.status == 0 || r.status == 143), "dashboard stops on SIGTERM: \(r)")

        try await CLI.run(["dashboard", "--run-dir", run.runDir, "--host", "0.0.0.0", "--port", "0"], set: ["AUTOLFADS_DASHBOARD_TOKEN": ""])
            .expectError(["token"], "dashboard on a public address without a token")
        try await CLI.run(["dashboard", "--run-dir", run.dir + "/missing", "--port", "0"]).expectError(["missing"], "dashboard of a missing run")
    }

    @Test func runErrors() async throws {
        let dir = try CLI.tempDir("run-err")
        try "name: bad\npopulaton: 2\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        try await CLI.run(["run", "--config", dir + "/bad.yaml", "--no-dashboard"]).expectError(["populaton"], "run with a misspelt key")
        try await CLI.run(["run", "--config", dir + "/missing.yaml", "--no-dashboard"]).expectError(["missing.yaml"], "run with a missing config")
        try await CLI.run(["server", "--config", dir + "/bad.yaml", "--no-dashboard"]).expectError(["populaton"], "server with a misspelt key")
        try await CLI.run(["run", "--objective", "magic", "--no-dashboard"], directory: dir)
            .expectError(["--objective"], status: 64, "run --objective magic")
        #expect(!FileManager.default.fileExists(atPath: dir + "/runs"), "a rejected run creates no run directory")
        // The hidden `worker` command a client starts: neither a job file nor --standby is a usage error.
        try await CLI.run(["worker", "--no-parent-watch"]).expectError(["--job-file", "--standby"], status: 64, "worker without a job")
    }

    /// `server` and `client` as two processes on one SQLite store (toy objective: no training).
    @Test func serverAndClient() async throws {
        let dir = try CLI.tempDir("server")
        try """
            name: toy-cli
            objective: toy
            storage: \(dir)/storage
            population: 2
            max_generations: 2
            epochs_per_generation: 2
            stopping: {enabled: false}
            faults: {heartbeat_interval: 0.5, heartbeat_timeout: 30, max_attempts: 2}
            """.write(toFile: dir + "/run.yaml", atomically: true, encoding: .utf8)
        let server = try CLI.start(["server", "--config", dir + "/run.yaml", "--no-dashboard"])
        let store = "sqlite://\(dir)/storage/runs/toy-cli/coordination.db"
        let created = await server.waitForOutput(seconds: 60) { out, _ in out.contains("created run 'toy-cli'") }
        try #require(created, "the server did not create its run: \(server.stdoutSoFar) \(server.stderrSoFar)")
        try await CLI.run(["client", "--store", store, "--run", "nope", "--slots", "1"])
            .expectError(["run 'nope' does not exist", "autolfads server"], "client for a run the store does not have")
        let client = try CLI.start(["client", "--store", store, "--run", "toy-cli", "--slots", "2"])
        let s = await server.wait(seconds: 120)
        let c = await client.wait(seconds: 60)
        #expect(s.status == 0 && s.stdout.contains("run toy-cli finished") && s.stdout.contains("after 2 generation(s)"), "server: \(s)")
        #expect(c.status == 0, "the client exits when its run is done: \(c)")
        try await CLI.run(["client", "--store", "sqlite://\(dir)/nowhere/x.db", "--run", "toy-cli", "--slots", "0"])
            .expectError(["--slots"], status: 64, "client --slots 0")
        try await CLI.run(["client", "--slots", "1"]).expectError(["--store"], status: 64, "client without --store")
    }
}
