import Foundation
import Coordination

/// The text `autolfads status` prints: run state, population table, clients with heartbeat ages, jobs.
public enum StatusReport {
    /// Reads everything needed from the store and renders it.
    public static func load(store: any CoordinationStore, run name: String, now: Date = Date()) async throws -> String {
        guard let run = try await store.run(named: name) else {
            let names = (try? await store.runs().map(\.name)) ?? []
            throw RuntimeError("run '\(name)' is not in \(store.location)" +
                               (names.isEmpty ? "; check the run name and --store" : "; runs there: \(names.joined(separator: ", "))"))
        }
        return render(run: run, workers: try await store.workers(run: run.id), jobs: try await store.jobs(run: run.id, generation: nil),
                      processes: try await store.processes(), now: now)
    }

    /// The run's stored (effective) config as resolved run.yaml text: what `status --show-config` prints.
    public static func config(store: any CoordinationStore, run name: String) async throws -> String {
        guard let run = try await store.run(named: name) else {
            throw RuntimeError("run '\(name)' is not in \(store.location); check the run name and --store")
        }
        do { return try run.config.decode(RunConfig.self).resolvedYAML() } catch {
            throw RuntimeError("run '\(name)': its stored config cannot be read by this version of autolfads (\(error))")
        }
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    static func num(_ x: Double?) -> String { x.map { String(format: "%.5g", $0) } ?? "-" }

    /// Renders the status text from store rows.
    public static func render(run: RunRecord, workers: [WorkerRecord], jobs: [JobRecord], processes: [ProcessRecord], now: Date) -> String {
        let cfg = try? run.config.decode(RunConfig.self)
        var out: [String] = []
        out.append("run \(run.name): \(run.status.rawValue), generation \(run.generation)" +
                   (cfg.map { " of \($0.maxGenerations), \($0.population) workers, \($0.mode.label), objective \($0.objective.rawValue)" } ?? ""))
        if let problem = StoredRunConfig.problem(run) { out.append("problem: \(problem)") }
        if let cfg, cfg.objective == .lfads {
            out.append("score: pbt.metric \(cfg.metric.rawValue) (\(cfg.metric.label), \(cfg.minimize ? "lower" : "higher") is better)")
        }
        let latest = Dictionary(grouping: jobs, by: \.worker).mapValues { $0.max { $0.generation < $1.generation }! }
        out.append(pad("worker", 8) + pad("gen", 5) + pad("status", 9) + pad("job", 9) + pad("score", 12) + pad("parent", 8) + "hyperparameters")
        for w in workers.sorted(by: { $0.index < $1.index }) {
            let hps = (try? w.hps.decode([String: Double].self)) ?? [:]
            let hpText = hps.keys.sorted().map { "\($0)=\(String(format: "%.3g", hps[$0]!))" }.joined(separator: " ")
            let j = latest[w.index]
            out.append(pad(String(w.index), 8) + pad(String(w.generation), 5) + pad(w.status.rawValue, 9) +
                       pad(j.map { "\($0.status.rawValue)" } ?? "-", 9) + pad(num(w.lastScore), 12) +
                       pad(w.parent.map(String.init) ?? "-", 8) + hpText)
        }
        let byStatus = Dictionary(grouping: jobs.filter { !$0.isFinalStep }, by: \.status).mapValues(\.count)
        out.append("jobs: " + JobStatus.allCases.map { "\($0.rawValue) \(byStatus[$0] ?? 0)" }.joined(separator: ", "))
        if let f = JobRecord.finalStep(in: jobs) { out.append("final step (the best model's outputs): \(f.finalStepSummary)") }
        let failures = JobRecord.withErrorsNewestFirst(jobs)
        if !failures.isEmpty {
            out.append("failed attempts (\(failures.count) job(s); newest first, at most 5; the dashboard shows the log line):")
            for j in failures.prefix(5) {
                out.append("  \(j.label) after \(j.attempts) attempt(s), now \(j.status.rawValue), last error: \(j.error!)")
            }
        }
        let holders = Set(jobs.compactMap { $0.status == .claimed ? $0.claimedBy : nil })
        let clients = Dictionary(grouping: processes, by: \.clientID)
        if clients.isEmpty { out.append("clients: none registered") }
        for (client, procs) in clients.sorted(by: { $0.key < $1.key }) {
            let alive = procs.filter { $0.status == .alive }.count
            let age = procs.map { $0.heartbeatAge(now: now) }.min() ?? 0
            let busy = procs.filter { holders.contains($0.id) }.count
            let threads = procs.map(\.threads).max() ?? 0
            out.append("client \(client) on \(procs.first?.host ?? "?"): \(procs.count) slots" + (threads > 0 ? " × \(threads) training threads" : "") +
                       " (\(alive) alive, \(busy) busy), last heartbeat \(String(format: "%.1f", age)) s ago")
        }
        let timeout = cfg?.heartbeatTimeout ?? 30
        let live = processes.filter { $0.status == .alive && $0.heartbeatAge(now: now) < timeout }
        if run.status == .running || run.status == .created, live.isEmpty {
            let since = processes.map { $0.heartbeatAge(now: now) }.min().map { String(format: " (last heartbeat %.0f s ago)", $0) } ?? ""
            out.append("note: no live client in this store\(since), so nothing trains; run the same `autolfads run` (or start a client) to resume")
        }
        return out.joined(separator: "\n")
    }
}
