import ArgumentParser
import Coordination
import Dashboard
import FileSystem
import Foundation
import Runtime

/// `--dashboard-port P` / `--no-dashboard` for `autolfads run` and `autolfads server`.
struct RunDashboardOptions: ParsableArguments {
    @Option(name: .customLong("dashboard-port"), help: "Port of the live dashboard on 127.0.0.1 (0 = any free port).")
    var dashboardPort: Int = 8050
    @Flag(name: .customLong("no-dashboard"), help: "Do not serve the live dashboard during the run.")
    var noDashboard = false
}

private func warn(_ message: String) {
    StandardStreams.writeError("warning: \(message)\n")
}

/// Runs `body` (the run) with the live dashboard served meanwhile, then writes `runs/<run>/report.html`.
/// Dashboard and report problems are warnings; only `body`'s errors propagate. Returns the summary, the
/// report's path and the best model's one-line fit (nil without model outputs).
func runWithDashboard(_ cfg: RunConfig, _ options: RunDashboardOptions, _ body: () async throws -> PBTServer.Summary)
    async throws -> (summary: PBTServer.Summary, report: String?, fit: String?) {
    try cfg.createRunDirectory()
    var store: (any CoordinationStore)?
    var server: DashboardServer?
    if !options.noDashboard {
        do { store = try await openCoordinationStore(cfg.store) } catch { warn("dashboard not started: \(error)") }
        if let store {
            // On a shared login node, AUTOLFADS_DASHBOARD_TOKEN makes the loopback dashboard ask for it too.
            let token = ProcessInfo.processInfo.environment["AUTOLFADS_DASHBOARD_TOKEN"]
            let d = await RunDashboard.start(store: store, storage: cfg.storage, run: cfg.name, port: options.dashboardPort, token: token)
            if let url = d.url { print("dashboard: \(url)") }
            if let w = d.warning { warn(w) }
            server = d.server
        }
    }
    let summary: PBTServer.Summary
    do { summary = try await body() } catch {
        await server?.stop(); await store?.close()
        throw error
    }
    await server?.stop()
    let report = await RunDashboard.writeReport(runDirectory: cfg.runDirectory, store: store, storage: cfg.storage, run: cfg.name)
    if let w = report.warning { warn(w) }
    await store?.close()
    return (summary, report.path, report.fit)
}
