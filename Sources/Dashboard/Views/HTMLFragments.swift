import Foundation
import Plots
import LFADSData
import PBT
import Coordination

/// HTML pieces of the dashboard (also reused by the report). All text is escaped.
public enum HTMLFragments {
    static func h(_ s: String) -> String { SVGText.escape(s) }
    static func num(_ x: Double?) -> String { SVGText.number(x) }

    /// Key numbers: status, generation, best score, ETA, jobs, slots.
    public static func overview(_ s: RunSnapshot) -> String {
        let o = RunSummary.overview(s)
        var items: [(String, String)] = [
            ("run", s.run.name), ("status", s.run.status.rawValue),
            ("generation", "\(s.run.generation)" + (s.run.maxGenerations.map { " of \($0)" } ?? "")),
            ("completed generations", "\(o.completedGenerations)"),
            ("score", s.run.metric.map { "\($0) (\(s.run.minimize ? "lower" : "higher") is better)" } ?? (s.run.minimize ? "lower is better" : "higher is better")),
            ("best score", o.bestScore.map { "\(num($0)) (w\(o.bestWorker!) g\(o.bestGeneration!))" } ?? "–"),
            ("generation time", RunSummary.duration(o.generationSeconds)),
            ("ETA", o.etaSeconds.map { RunSummary.duration($0) } ?? (s.run.status == .done ? "done" : "–")),
            ("jobs", "\(s.jobs.queued) queued · \(s.jobs.claimed) running · \(s.jobs.done) done · \(s.jobs.failed) failed"),
            ("slots", "\(o.busyProcesses) busy of \(o.aliveProcesses) alive"),
        ]
        if let mode = s.run.mode { items.insert(("mode", SearchMethod.label(forMode: mode)), at: 2) }
        if let f = s.run.finalStep { items.append(("final step", f)) }
        return "<dl class=\"overview\">" + items.map { "<div><dt>\(h($0.0))</dt><dd>\(h($0.1))</dd></div>" }.joined() + "</dl>"
    }

    /// Population table: worker, generation, status, score, each HP, parent.
    public static func workers(_ s: RunSnapshot) -> String {
        let hps = RunSummary.hpNames(s)
        var out = "<table id=\"workers-table\"><thead><tr><th>worker</th><th>gen</th><th>status</th><th>job</th><th>score</th>"
        out += hps.map { "<th>\(h($0))</th>" }.joined() + "<th>parent</th></tr></thead><tbody>"
        let best = RunSummary.overview(s).bestWorker
        for w in s.workers.sorted(by: { $0.worker < $1.worker }) {
            let cls = w.status == .bad ? " class=\"bad\"" : (w.worker == best ? " class=\"best\"" : "")
            out += "<tr data-worker=\"\(w.worker)\"\(cls)><td>w\(w.worker)</td><td>\(w.generation)</td><td>\(h(w.status.rawValue))</td>"
            out += "<td>\(h(w.job?.rawValue ?? "–"))</td><td>\(num(w.score))</td>"
            out += hps.map { "<td>\(num(w.hps[$0]))</td>" }.joined()
            out += "<td>\(w.parent.map { "w\($0)" } ?? "–")</td></tr>"
        }
        if s.workers.isEmpty { out += "<tr><td colspan=\"\(6 + hps.count)\">no workers yet</td></tr>" }
        return out + "</tbody></table>"
    }

    /// Clients and slots with heartbeat ages and failures.
    public static func processes(_ s: RunSnapshot) -> String {
        var out = "<table id=\"processes-table\"><thead><tr><th>client</th><th>host</th><th>slot</th><th>pid</th><th>status</th>"
        out += "<th>job</th><th>heartbeat age</th><th>failures</th></tr></thead><tbody>"
        for p in s.processes.sorted(by: { ($0.client, $0.slot, $0.id) < ($1.client, $1.slot, $1.id) }) {
            let age = p.lastHeartbeat.map { s.takenAt.timeIntervalSince($0) }
            let stale = p.status == .alive && (age ?? 0) > 30
            let cls = p.status == .dead || stale ? " class=\"bad\"" : ""
            out += "<tr data-process=\"\(h(p.id))\"\(cls)><td>\(h(p.client))</td><td>\(h(p.host))</td><td>\(p.slot)</td>"
            out += "<td>\(p.pid.map(String.init) ?? "–")</td><td>\(h(p.status.rawValue))</td><td>\(h(p.job ?? "idle"))</td>"
            out += "<td>\(age.map { String(format: "%.1f s", max(0, $0)) } ?? "–")</td><td>\(p.failures)</td></tr>"
        }
        if s.processes.isEmpty { out += "<tr><td colspan=\"8\">no clients registered (or the store is not connected)</td></tr>" }
        return out + "</tbody></table>"
    }

    /// NLB'21 metrics of the final model on its eval split, next to the smoothing baseline when computed.
    public static func nlbMetrics(_ e: NLBEvaluation) -> String {
        let h = SVGText.escape
        let columns = [("model", e.model), ("smoothing", e.smoothing), ("truth (ceiling)", e.oracle)].compactMap { c in c.1.map { (c.0, $0) } }
        var out = "<h3>NLB metrics (\(h(e.split)) split, \(e.trials) trials, \(e.heldOutNeurons) held-out neurons, \(e.forwardBins) forward bins)</h3>"
        out += "<table id=\"nlb-metrics\"><thead><tr><th>metric</th>" + columns.map { "<th>\(h($0.0))</th>" }.joined() + "</tr></thead><tbody>"
        for (name, key) in NLBScores.rows where columns.contains(where: { $0.1[keyPath: key] != nil }) {
            out += "<tr><td>\(h(name))</td>" + columns.map { "<td>\(num($0.1[keyPath: key]))</td>" }.joined() + "</tr>"
        }
        out += "</tbody></table>"
        if !e.notes.isEmpty { out += "<ul class=\"muted\">" + e.notes.map { "<li>\(h($0))</li>" }.joined() + "</ul>" }
        return out
    }

    /// Failed jobs, newest first: where (worker, generation), how often, and the recorded error.
    public static func problems(_ s: RunSnapshot) -> String {
        guard !s.problems.isEmpty else { return "<p class=\"muted\">no failed jobs</p>" }
        var out = "<table id=\"problems-table\"><thead><tr><th>job</th><th>attempts</th><th>now</th><th>age</th><th>last error</th></tr></thead><tbody>"
        for p in s.problems {
            let cls = p.status == .done ? "" : " class=\"bad\""
            out += "<tr\(cls)><td>\(h(JobRecord.label(worker: p.worker, generation: p.generation)))</td><td>\(p.attempts)</td><td>\(h(p.status.rawValue))</td>"
            out += "<td>\(RunSummary.duration(max(0, s.takenAt.timeIntervalSince(p.at))))</td>"
            let cause = p.logTail.map { "<br><code>\(h($0))</code>" } ?? ""
            out += "<td style=\"text-align:left\">\(h(p.error))\(cause)</td></tr>"
        }
        return out + "</tbody></table>"
    }

    /// Decision log summary: per generation, copies and the largest relative HP change.
    public static func decisions(_ s: RunSnapshot) -> String {
        let summary = DecisionSummary.byGeneration(s.decisions)
        guard !summary.isEmpty else { return "<p class=\"muted\">no decisions yet</p>" }
        let hps = summary.flatMap { $0.medianDrift.keys }.reduce(into: Set<String>()) { $0.insert($1) }.sorted()
        var out = "<table id=\"decisions-table\"><thead><tr><th>after gen</th><th>keep</th><th>copy</th><th>no donor</th>"
        out += hps.map { "<th>\(h($0)) drift</th>" }.joined() + "</tr></thead><tbody>"
        for g in summary {
            out += "<tr><td>\(g.generation)</td><td>\(g.keeps)</td><td>\(g.copies)</td><td>\(g.noDonor)</td>"
            out += hps.map { hp in "<td>\(g.medianDrift[hp].map { String(format: "×%.3g", $0) } ?? "–")</td>" }.joined() + "</tr>"
        }
        return out + "</tbody></table><p class=\"muted\">drift = median over the generation&#39;s copies of new HP value / the copying worker&#39;s old value (×1 = unchanged).</p>"
    }
}

/// Per-generation summary of the decision log.
public struct DecisionSummary: Codable, Sendable, Equatable {
    public var generation: Int
    public var keeps: Int
    public var copies: Int
    public var noDonor: Int
    /// Median of new/old per HP over this generation's copies (explore steps; positive old values only).
    public var medianDrift: [String: Double]

    /// One summary per generation with decisions, in order.
    public static func byGeneration(_ decisions: [DecisionRow]) -> [DecisionSummary] {
        Dictionary(grouping: decisions, by: \.generation).keys.sorted().map { g in
            let ds = decisions.filter { $0.generation == g }
            var ratios: [String: [Double]] = [:]
            for d in ds where d.action == "copy" {
                for (k, old) in d.oldHPs where old > 0 {
                    if let new = d.newHPs[k], new.isFinite { ratios[k, default: []].append(new / old) }
                }
            }
            return DecisionSummary(generation: g, keeps: ds.filter { $0.action == "keep" }.count,
                                   copies: ds.filter { $0.action == "copy" }.count,
                                   noDonor: ds.filter { $0.action == "noValidDonor" }.count,
                                   medianDrift: ratios.compactMapValues(RunSummary.median))
        }
    }
}
