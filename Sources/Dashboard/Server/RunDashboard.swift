import Coordination
import Foundation

/// The live dashboard and final report of a run started by `autolfads run` / `autolfads server`.
/// Neither ever fails the run: problems come back as one-line warnings.
public enum RunDashboard {
    /// Serves `StoreSnapshotSource` for `run` on 127.0.0.1:`port` (0 = any free port). Returns the started
    /// server and its URL, or a one-line warning when it cannot start (e.g. the port is busy).
    public static func start(store: any CoordinationStore, storage: String, run: String, port: Int) async
        -> (server: DashboardServer?, url: String?, warning: String?) {
        do {
            let source = StoreSnapshotSource(store: store, storage: SharedStorage(rootPath: storage), run: run)
            let server = try DashboardServer(source: source, host: "127.0.0.1", port: port)
            let p = try await server.start()
            return (server, "http://127.0.0.1:\(p)/", nil)
        } catch {
            return (nil, nil, "dashboard not started (\(error)); the run continues without it (pick another --dashboard-port or pass --no-dashboard)")
        }
    }

    /// Writes `<runDirectory>/report.html` (live store snapshot when `store` is given). Returns its path, or a warning.
    public static func writeReport(runDirectory: String, store: (any CoordinationStore)?, storage: String, run: String) async
        -> (path: String?, warning: String?) {
        do {
            var snapshot: RunSnapshot?
            if let store {
                snapshot = try? await StoreSnapshotSource(store: store, storage: SharedStorage(rootPath: storage), run: run).snapshot(now: Date())
            }
            let o = try RunReport.write(runDirectory: URL(fileURLWithPath: runDirectory), snapshot: snapshot)
            return (o.html.path, nil)
        } catch {
            return (nil, "report not written: \(error)")
        }
    }
}
