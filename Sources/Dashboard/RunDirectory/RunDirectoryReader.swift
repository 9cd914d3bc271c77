import Foundation
import LFADSData

/// Reads what a run directory (`<storage>/runs/<run>/`) holds: `decisions.csv`, `hp_log.csv` and
/// `workers/w<NNN>/g<NNN>/{metrics.csv,result.json}`. Missing files give empty parts, never errors.
public struct RunDirectoryReader: Sendable {
    public let directory: URL
    /// Reuses parsed `metrics.csv` files across reads (live sources); nil = parse every time.
    public let cache: MetricsFileCache?

    public init(directory: URL, cache: MetricsFileCache? = nil) { self.directory = directory; self.cache = cache }

    /// The run name: the directory's last component.
    public var runName: String { directory.standardizedFileURL.lastPathComponent }

    /// Decisions from `decisions.csv` (header `generation,worker,action,parent,parent_generation,score,parent_score,old_hps,new_hps`).
    public func decisions() throws -> [DecisionRow] {
        guard let t = try CSVTable.read(directory.appendingPathComponent("decisions.csv")) else { return [] }
        return t.rows.compactMap { r in
            guard let g = Int(t.value(r, "generation")), let w = Int(t.value(r, "worker")) else { return nil }
            return DecisionRow(generation: g, worker: w, action: t.value(r, "action"),
                               parent: Int(t.value(r, "parent")) ?? w,
                               parentGeneration: Int(t.value(r, "parent_generation")) ?? g,
                               score: CSVTable.number(t.value(r, "score")),
                               parentScore: CSVTable.number(t.value(r, "parent_score")),
                               oldHPs: CSVTable.hps(t.value(r, "old_hps")), newHPs: CSVTable.hps(t.value(r, "new_hps")))
        }
    }

    /// Results from `hp_log.csv` (header `generation,worker,<hp…>,score`), with times and seconds
    /// from each worker-generation directory when present.
    public func results() throws -> [ResultRow] {
        guard let t = try CSVTable.read(directory.appendingPathComponent("hp_log.csv")) else { return [] }
        let hpColumns = t.header.filter { !["generation", "worker", "score"].contains($0) }
        return t.rows.compactMap { r in
            guard let g = Int(t.value(r, "generation")), let w = Int(t.value(r, "worker")) else { return nil }
            var hps: [String: Double] = [:]
            for name in hpColumns { if let v = CSVTable.number(t.value(r, name)) { hps[name] = v } }
            var row = ResultRow(generation: g, worker: w, hps: hps, score: CSVTable.number(t.value(r, "score")))
            let dir = generationDirectory(worker: w, generation: g)
            if let outcome = readOutcome(dir) {
                row.seconds = outcome.seconds; row.epochs = outcome.epochs; row.finishedAt = outcome.modified
            } else {
                row.finishedAt = modified(dir.appendingPathComponent("metrics.csv"))
            }
            return row
        }
    }

    /// `workers/w<worker>/g<generation>` with at least three digits, as the shared-storage layout names them.
    public func generationDirectory(worker: Int, generation: Int) -> URL {
        directory.appendingPathComponent("workers").appendingPathComponent(String(format: "w%03d", worker))
            .appendingPathComponent(String(format: "g%03d", generation))
    }

    /// Every `metrics.csv` under `workers/`, parsed, sorted by (worker, generation).
    public func metrics() throws -> [MetricSeries] {
        let fm = FileManager.default
        let root = directory.appendingPathComponent("workers")
        guard let wdirs = try? fm.contentsOfDirectory(atPath: root.path) else { return [] }
        var out: [MetricSeries] = []
        for wd in wdirs {
            guard let w = Self.index(wd, prefix: "w") else { continue }
            let gdirs = (try? fm.contentsOfDirectory(atPath: root.appendingPathComponent(wd).path)) ?? []
            for gd in gdirs {
                guard let g = Self.index(gd, prefix: "g") else { continue }
                let url = root.appendingPathComponent(wd).appendingPathComponent(gd).appendingPathComponent("metrics.csv")
                let parse = { () throws -> MetricSeries? in
                    guard let t = try CSVTable.read(url), !t.header.isEmpty else { return nil }
                    let rows = t.rows.map { r in t.header.indices.map { i in i < r.count ? (Double(r[i]) ?? .nan) : .nan } }
                    return MetricSeries(worker: w, generation: g, columns: t.header, rows: rows)
                }
                let series = try cache.map { try $0.series(path: url.path, parse: parse) } ?? parse()
                if let series { out.append(series) }
            }
        }
        return out.sorted { ($0.worker, $0.generation) < ($1.worker, $1.generation) }
    }

    /// A snapshot from the directory alone (no store): workers are derived from the latest results and decisions.
    public func snapshot(now: Date, info: RunInfo? = nil) throws -> RunSnapshot {
        let results = try results(), decisions = try decisions(), metrics = try metrics()
        var run = info ?? RunInfo(name: runName)
        if info == nil {
            run.generation = results.map(\.generation).max() ?? 0
            run.population = Set(results.map(\.worker)).count
        }
        var snap = RunSnapshot(run: run, workers: Self.workers(results: results, decisions: decisions),
                               results: results, decisions: decisions, metrics: metrics, takenAt: now)
        snap.evaluation = evaluation()
        return snap
    }

    /// `best/evaluation.json` (the best model's NLB scores), when written and readable.
    public func evaluation() -> NLBEvaluation? {
        let url = directory.appendingPathComponent("best").appendingPathComponent("evaluation.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return try? NLBEvaluation.jsonDecoder.decode(NLBEvaluation.self, from: data)
    }

    /// The population table derived from logs: each worker's latest result, with the HPs and parent of the
    /// decision made after it (what it trains next).
    public static func workers(results: [ResultRow], decisions: [DecisionRow]) -> [WorkerRow] {
        let latest = Dictionary(grouping: results, by: \.worker).mapValues { $0.max { $0.generation < $1.generation }! }
        let decided = Dictionary(grouping: decisions, by: \.worker).mapValues { $0.max { $0.generation < $1.generation }! }
        let lastCopy = Dictionary(grouping: decisions.filter { $0.action == "copy" }, by: \.worker)
            .mapValues { $0.max { $0.generation < $1.generation }! }
        return latest.keys.sorted().map { w in
            let r = latest[w]!
            var row = WorkerRow(worker: w, generation: r.generation, status: r.score == nil ? .bad : .ok,
                                score: r.score, hps: r.hps)
            if let d = decided[w], d.generation >= r.generation, !d.newHPs.isEmpty { row.hps = d.newHPs }
            row.parent = lastCopy[w]?.parent
            return row
        }
    }

    static func index(_ name: String, prefix: Character) -> Int? {
        guard name.first == prefix else { return nil }
        return Int(name.dropFirst())
    }

    struct Outcome { var seconds: Double?; var epochs: Int?; var modified: Date? }

    func readOutcome(_ dir: URL) -> Outcome? {
        let url = dir.appendingPathComponent("result.json")
        guard let data = FileManager.default.contents(atPath: url.path),
              let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        return Outcome(seconds: (obj["seconds"] as? NSNumber)?.doubleValue, epochs: (obj["epochs"] as? NSNumber)?.intValue,
                       modified: modified(url))
    }

    func modified(_ url: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
    }
}

/// A live source that re-reads a run directory on every poll.
public struct RunDirectorySource: RunSnapshotSource {
    public let reader: RunDirectoryReader
    public init(directory: URL) { reader = RunDirectoryReader(directory: directory, cache: MetricsFileCache()) }
    public func snapshot(now: Date) async throws -> RunSnapshot {
        guard FileManager.default.fileExists(atPath: reader.directory.path) else {
            throw DashboardError("run directory \(reader.directory.path) does not exist; pass <storage>/runs/<run>")
        }
        return try reader.snapshot(now: now)
    }
}
