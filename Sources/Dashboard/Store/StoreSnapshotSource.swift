import Coordination
import Foundation
import PBT

/// The live source: run, workers, jobs and client processes from the coordination store, training
/// curves and logs from the run directory in shared storage (`<root>/runs/<run>/`).
public final class StoreSnapshotSource: RunSnapshotSource, Sendable {
    public let store: any CoordinationStore
    public let storage: SharedStorage
    public let runName: String

    public init(store: any CoordinationStore, storage: SharedStorage, run: String) {
        self.store = store; self.storage = storage; self.runName = run
    }

    public func snapshot(now: Date) async throws -> RunSnapshot {
        guard let run = try await store.run(named: runName) else {
            throw DashboardError("run '\(runName)' is not in \(store.location); check --run and --store")
        }
        let dir = try storage.runDirectory(runName)
        let workers = try await store.workers(run: run.id)
        let jobs = try await store.jobs(run: run.id, generation: nil)
        let processes = try await store.processes()
        let fromFiles = try RunDirectoryReader(directory: dir).snapshot(now: now)
        var snap = StoreSnapshotMapping.merge(directory: fromFiles, run: run, workers: workers, jobs: jobs, processes: processes, now: now)
        // Only while the failed attempt's log is the latest (a retry appends its own lines to the same log).
        for i in snap.problems.indices where [.failed, .queued].contains(snap.problems[i].status) {
            snap.problems[i].logTail = LogTail.cause(of: snap.problems[i].error, within: dir.path)
        }
        return snap
    }
}

/// The cause in a worker log named in a job error (`…; see /path/log.txt`): the last line that reports an
/// error or a crash, else the last line. Read only inside the run directory, and only its last 16 KiB
/// (a crash backtrace follows the line that matters).
enum LogTail {
    static let markers = ["autolfads worker:", "Fatal error", "error:", "Program crashed"]

    static func cause(of error: String, within runDirectory: String) -> String? {
        guard let r = error.range(of: "see ", options: .backwards) else { return nil }
        let path = (String(error[r.upperBound...]).trimmingCharacters(in: .whitespaces) as NSString).resolvingSymlinksInPath
        let root = (runDirectory as NSString).resolvingSymlinksInPath   // storage is often reached through a link
        guard path.hasPrefix(root + "/"), let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        let end = (try? h.seekToEnd()) ?? 0
        try? h.seek(toOffset: end > 16_384 ? end - 16_384 : 0)
        let lines = String(decoding: (try? h.readToEnd()) ?? Data(), as: UTF8.self).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.last { line in markers.contains { line.contains($0) } } ?? lines.last
    }
}

/// Pure mapping of store rows onto a `RunSnapshot` (tested without a database).
public enum StoreSnapshotMapping {
    /// Run info from the record and its config JSON (`population`, `maxGenerations`, `mode`, `minimize`,
    /// `searchSpace` entries with `initMode: log_uniform|log_grid` or `space: log` shown on log axes).
    public static func runInfo(_ r: RunRecord) -> RunInfo {
        let cfg = (try? JSONSerialization.jsonObject(with: Data(r.config.text.utf8))) as? [String: Any] ?? [:]
        var info = RunInfo(name: r.name, status: RunPhase(r.status), generation: r.generation,
                           maxGenerations: (cfg["maxGenerations"] as? NSNumber)?.intValue,
                           population: (cfg["population"] as? NSNumber)?.intValue,
                           minimize: (cfg["minimize"] as? Bool) ?? true,
                           mode: cfg["mode"] as? String, createdAt: r.createdAt, updatedAt: r.updatedAt)
        if (cfg["objective"] as? String ?? "lfads") == "lfads" { info.metric = cfg["pbtMetric"] as? String ?? "valid_recon_smth" }
        if let space = cfg["searchSpace"] as? [[String: Any]] {
            info.logScaledHPs = space.compactMap { h in
                guard let name = h["name"] as? String else { return nil }
                let initMode = (h["initMode"] ?? h["init"]) as? String, spaceKind = h["space"] as? String
                let logInit = ["logUniform", "log_uniform", "logGrid", "log_grid"].contains(initMode ?? "")
                return logInit || spaceKind == "log" ? name : nil
            }.sorted()
        }
        return info
    }

    struct Outcome: Decodable { var score: Double?; var seconds: Double?; var epochs: Int? }
    struct Payload: Decodable { var hps: [String: Double]?; var decision: Decision? }

    /// Replaces the directory snapshot's run, workers, processes and job counts with the store's; results and
    /// decisions come from finished jobs when the CSV logs are not written yet.
    public static func merge(directory: RunSnapshot, run: RunRecord, workers: [WorkerRecord], jobs: [JobRecord],
                             processes: [ProcessRecord], now: Date) -> RunSnapshot {
        var snap = directory
        snap.run = runInfo(run)
        snap.run.finalStep = JobRecord.finalStep(in: jobs)?.finalStepSummary
        snap.takenAt = now
        let latestJob = Dictionary(grouping: jobs, by: \.worker).mapValues { $0.max { $0.generation < $1.generation }! }
        let lastCopy = Dictionary(grouping: directory.decisions.filter { $0.action == "copy" }, by: \.worker)
            .mapValues { $0.max { $0.generation < $1.generation }!.parent }
        snap.workers = workers.sorted { $0.index < $1.index }.map { w in
            // A finished job's score shows at once; the worker record's score only after the next decision.
            let finished = latestJob[w.index].flatMap { $0.status == .done ? (try? $0.result?.decode(Outcome.self))??.score : nil }
            return WorkerRow(worker: w.index, generation: w.generation, status: w.status,
                      score: (finished ?? w.lastScore).flatMap { $0.isFinite ? $0 : nil },
                      hps: (try? w.hps.decode([String: Double].self)) ?? [:], parent: w.parent ?? lastCopy[w.index],
                      job: latestJob[w.index]?.status)
        }
        var counts = JobCounts()   // training jobs; the final step has its own line
        for j in jobs where !j.isFinalStep {
            switch j.status {
            case .queued: counts.queued += 1
            case .claimed: counts.claimed += 1
            case .done: counts.done += 1
            case .failed: counts.failed += 1
            }
            counts.retries += max(0, j.attempts - 1)
        }
        snap.jobs = counts
        snap.problems = JobRecord.withErrorsNewestFirst(jobs).prefix(ProblemRow.limit).map {
            ProblemRow(worker: $0.worker, generation: $0.generation, attempts: $0.attempts, status: $0.status,
                       error: $0.error!, at: $0.updatedAt)
        }
        let held = Dictionary(jobs.filter { $0.status == .claimed && $0.claimedBy != nil }.map { ($0.claimedBy!, $0.label) },
                              uniquingKeysWith: { a, _ in a })
        let failures = Dictionary(grouping: jobs.filter { $0.error != nil && $0.claimedBy != nil }, by: { $0.claimedBy! }).mapValues(\.count)
        snap.processes = processes.map { p in
            ProcessRow(id: p.id, client: p.clientID, host: p.host, slot: p.slot, pid: p.pid, status: p.status,
                       startedAt: p.startedAt, lastHeartbeat: p.lastHeartbeat, job: held[p.id], failures: failures[p.id] ?? 0)
        }
        // Results: the store's finished jobs carry times; CSV rows fill what the store lacks.
        var results: [String: ResultRow] = [:]
        for r in directory.results { results["\(r.worker)/\(r.generation)"] = r }
        for j in jobs where (j.status == .done || j.status == .failed) && !j.isFinalStep {
            let outcome = j.result.flatMap { try? $0.decode(Outcome.self) }
            let payload = try? j.payload.decode(Payload.self)
            var row = results["\(j.worker)/\(j.generation)"]
                ?? ResultRow(generation: j.generation, worker: j.worker, hps: payload?.hps ?? [:], score: nil)
            if j.status == .done { row.score = row.score ?? outcome?.score.flatMap { $0.isFinite ? $0 : nil } }
            row.seconds = row.seconds ?? outcome?.seconds
            row.epochs = row.epochs ?? outcome?.epochs
            row.finishedAt = j.updatedAt
            results["\(j.worker)/\(j.generation)"] = row
        }
        snap.results = results.values.sorted { ($0.generation, $0.worker) < ($1.generation, $1.worker) }
        if directory.decisions.isEmpty {
            snap.decisions = jobs.compactMap { j in (try? j.payload.decode(Payload.self))?.decision }.map { d in
                DecisionRow(generation: d.generation, worker: d.worker, action: d.action.rawValue, parent: d.parent,
                            parentGeneration: d.parentGeneration, score: d.score, parentScore: d.parentScore,
                            oldHPs: d.oldHyperparameters, newHPs: d.newHyperparameters)
            }.sorted { ($0.generation, $0.worker) < ($1.generation, $1.worker) }
        }
        return snap
    }
}
