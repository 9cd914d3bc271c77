import Foundation
import Coordination
import PBT

/// `decisions.csv` and `hp_log.csv` in the run directory, written as idempotent projections of the
/// store's jobs: a row is appended once per (generation, worker), so a restarted server never
/// duplicates rows.
public final class RunLogs {
    let storage: SharedStorage
    let run: String
    let hpNames: [String]
    private var decided: Set<[Int]>? = nil
    private var logged: Set<[Int]>? = nil

    public static let decisionHeader = ["generation", "worker", "action", "parent", "parent_generation",
                                        "score", "parent_score", "old_hps", "new_hps"]
    public var hpHeader: [String] { ["generation", "worker"] + hpNames + ["score"] }

    public init(storage: SharedStorage, run: String, hpNames: [String]) {
        self.storage = storage; self.run = run; self.hpNames = hpNames
    }

    static func keys(_ url: URL) -> Set<[Int]> {
        guard let rows = try? CSVLog.read(url) else { return [] }
        return Set(rows.dropFirst().compactMap { r in
            guard r.count >= 2, let g = Int(r[0]), let w = Int(r[1]) else { return nil }
            return [g, w]
        })
    }

    static func fmt(_ x: Double?) -> String { x.map { String($0) } ?? "nan" }
    static func fmt(_ hps: [String: Double]) -> String {
        hps.keys.sorted().map { "\($0)=\(hps[$0]!)" }.joined(separator: ";")
    }

    /// Appends the decisions and HP rows not yet written.
    public func update(jobs: [JobView], planner: PopulationPlanner) throws {
        let dURL = try storage.decisionsCSV(run: run), hURL = try storage.hpLogCSV(run: run)
        if decided == nil { decided = Self.keys(dURL) }
        if logged == nil { logged = Self.keys(hURL) }
        for j in jobs.sorted(by: { ($0.generation, $0.worker) < ($1.generation, $1.worker) }) {
            if let d = j.payload?.decision, !decided!.contains([d.generation, d.worker]) {
                try CSVLog.append([String(d.generation), String(d.worker), d.action.rawValue, String(d.parent),
                                   String(d.parentGeneration), Self.fmt(d.score), Self.fmt(d.parentScore),
                                   Self.fmt(d.oldHyperparameters), Self.fmt(d.newHyperparameters)],
                                  header: Self.decisionHeader, to: dURL)
                decided!.insert([d.generation, d.worker])
            }
            if let r = planner.result(of: j), !logged!.contains([j.generation, j.worker]) {
                try CSVLog.append([String(j.generation), String(j.worker)] + hpNames.map { Self.fmt(r.hyperparameters[$0]) } + [Self.fmt(r.score)],
                                  header: hpHeader, to: hURL)
                logged!.insert([j.generation, j.worker])
            }
        }
    }
}
