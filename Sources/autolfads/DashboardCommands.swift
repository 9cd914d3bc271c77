import ArgumentParser
import Dashboard
import FileSystem
import Foundation
import Runtime

private func fail(_ message: String) -> ExitCode {
    StandardStreams.writeError("error: \(message)\n")
    return ExitCode(1)
}

/// `autolfads dashboard`: the live web dashboard of a run.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Serve the live dashboard of a run (HTML, JSON API, /metrics).",
        discussion: "Reads <storage>/runs/<run>/ (or --run-dir). Binds 127.0.0.1 by default; other addresses need a token (--token-file, AUTOLFADS_DASHBOARD_TOKEN or --new-token), which loopback binds accept too (shared login nodes). See docs/DASHBOARD.md.")

    @Option(name: .long, help: "Coordination store URL (sqlite:///… or postgres://…); adds workers, jobs and clients.") var store: String?
    @Option(name: .long, help: "Shared storage root (holds runs/<run>/).") var storage: String?
    @Option(name: .customLong("run"), help: "Run name.") var runName: String?
    @Option(name: .long, help: "Run directory to read directly (instead of --storage/--run).") var runDir: String?
    @Option(name: .long, help: "Write a demo fixture run into this directory and serve it.") var fixture: String?
    @Option(name: .long, help: "Address to bind.") var host: String = "127.0.0.1"
    @Option(name: .long, help: "Port (0 = any free port).") var port: Int = 8050
    @Option(name: .long, help: "Access token (visible to other users in ps: prefer --token-file or AUTOLFADS_DASHBOARD_TOKEN).") var token: String?
    @Option(name: .customLong("token-file"), help: "Read the access token from this file (first line).") var tokenFile: String?
    @Flag(name: .customLong("new-token"), help: "Make a random access token and print the URL that carries it.") var newToken = false
    @Option(name: .customLong("request-timeout"), help: "Seconds before an idle or half-sent request's connection is closed.") var requestTimeout: Double = 10

    func run() async throws {
        let (store, storage, runName, runDir, fixture) = (self.store, self.storage, self.runName, self.runDir, self.fixture)
        let (host, port, requestTimeout, newToken) = (self.host, self.port, self.requestTimeout, self.newToken)
        let token: String?
        do { token = try DashboardToken.resolve(option: self.token, file: tokenFile, generate: newToken) }
        catch { throw fail("\(error)") }
        do {
            let source: any RunSnapshotSource
            if let fixture {
                let dir = URL(fileURLWithPath: fixture)
                source = FixtureSource(directory: dir, base: try FixtureRun.write(to: dir))
            } else {
                source = try await DashboardSources.make(store: store, storage: storage, run: runName, runDir: runDir)
            }
            _ = try await source.snapshot(now: Date())   // fail fast on a wrong run, store or directory
            let server = try DashboardServer(source: source, host: host, port: port, token: token, requestTimeout: requestTimeout)
            let p = try await server.start()
            let shown = host.contains(":") ? "[\(host)]" : host
            print("dashboard: http://\(shown):\(p)/" + (newToken ? "?token=\(token ?? "")" : "")); StandardStreams.flush()
            try await server.wait()   // until SIGTERM/SIGINT
        } catch { throw fail("\(error)") }
    }
}

/// `autolfads report`: a self-contained HTML report of a run directory.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report (inline SVG) and its SVG figures for a run, during or after it.")

    @Argument(help: "The run directory (<storage>/runs/<run>).") var runDir: String
    @Option(name: .long, help: "Output HTML file (default <run-dir>/report.html); figures go to <name>-figures/ next to it.") var out: String?

    func run() throws {
        do {
            let o = try RunReport.write(runDirectory: URL(fileURLWithPath: runDir), output: out.map { URL(fileURLWithPath: $0) })
            print("report: \(o.html.path) (\(o.figures.count) figures)")
            for n in o.notes { print("  note: \(n)") }
        } catch { throw fail("\(error)") }
    }
}
