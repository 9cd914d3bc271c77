import Coordination
import Foundation

/// The live dashboard and final report of a run started by `autolfads run` / `autolfads server`.
/// Neither ever fails the run: problems come back as one-line warnings.
public enum RunDashboard {
    /// Serves `StoreSnapshotSource` for `run` on 127.0.0.1:`port` (0 = any free port). Returns the started
    /// server and its URL, or a one-line warning when it cannot start (e.g. the port is busy).
    public static func start(store: any CoordinationStore, storage: String, run: String, port: Int, token: String? = nil) async
        -> (server: DashboardServer?, url: String?, warning: String?) {
        do {
            let source = StoreSnapshotSource(store: store, storage: SharedStorage(rootPath: storage), run: run)
            let server = try DashboardServer(source: source, host: "127.0.0.1", port: port, token: token, stopOnSignals: false)
            let p = try await server.start()
            return (server, "http://127.0.0.1:\(p)/", nil)
        } catch {
            return (nil, nil, "dashboard not started (\(error)); the run continues without it (pick another --dashboard-port or pass --no-dashboard)")
        }
    }

    /// Writes `<runDirectory>/report.html` (live store snapshot when `store` is given). Returns its path, or a warning.
    /// `fit` is a one-line summary of the final model's fit (bits/spike, and against the truth when the
    /// data has it), nil when the run produced no model outputs.
    public static func writeReport(runDirectory: String, store: (any CoordinationStore)?, storage: String, run: String) async
        -> (path: String?, warning: String?, fit: String?) {
        do {
            var snapshot: RunSnapshot?
            if let store {
                snapshot = try? await StoreSnapshotSource(store: store, storage: SharedStorage(rootPath: storage), run: run).snapshot(now: Date())
            }
            let o = try RunReport.write(runDirectory: URL(fileURLWithPath: runDirectory), snapshot: snapshot)
            return (o.html.path, nil, fitLine(o))
        } catch {
            return (nil, "report not written: \(error)", nil)
        }
    }

    /// "best model: 0.71 bits/spike, rates vs truth R² 0.84, factors → latents R² 0.95" (the parts that exist).
    public static func fitLine(_ o: RunReport.Outcome) -> String? {
        var parts: [String] = []
        if let n = o.nlb {
            for (name, v) in [("co-bps", n.coBPS), ("fp-bps", n.fpBPS), ("vel R²", n.velR2), ("PSTH R²", n.psthR2)] {
                if let v, v.isFinite { parts.append(String(format: "\(name) %.3f", v)) }
            }
        }
        if let b = o.bitsPerSpike, b.isFinite { parts.append(String(format: "%.3f bits/spike", b)) }
        if let r = o.ratesDataR2, r.isFinite { parts.append(String(format: "output means vs data R² %.3f", r)) }
        if let r = o.ratesTruthR2, r.isFinite { parts.append(String(format: "rates vs truth R² %.3f", r)) }
        if let f = o.factorsLatentsR2, f.isFinite { parts.append(String(format: "factors → latents R² %.3f", f)) }
        return parts.isEmpty ? nil : "best model: " + parts.joined(separator: ", ")
    }
}
