import Foundation
import Coordination
import Prometheus

/// The dashboard's `/metrics`: slot utilisation, jobs, heartbeat lag, training throughput, progress.
public enum RunMetrics {
    /// The `Content-Type` of the exposition text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Exposition text for one snapshot: a fresh swift-prometheus registry filled from the snapshot
    /// (the values are states of the store, read at scrape time, not counters this process owns).
    public static func exposition(_ s: RunSnapshot) -> String {
        let o = RunSummary.overview(s)
        let run = [("run", s.run.name)]
        let p = MetricFamilies()
        let byStatus = Dictionary(grouping: s.processes, by: \.status).mapValues(\.count)
        p.family("autolfads_slots", kind: .gauge, help: "Worker slots (client processes) by status.",
                 samples: ProcessStatus.allCases.map { (run + [("status", $0.rawValue)], Double(byStatus[$0] ?? 0)) })
        p.gauge("autolfads_slots_busy", "Alive slots currently holding a job.", Double(o.busyProcesses), labels: run)
        p.gauge("autolfads_slot_utilization", "Busy alive slots / alive slots (0 when none are alive).",
                o.aliveProcesses > 0 ? Double(o.busyProcesses) / Double(o.aliveProcesses) : 0, labels: run)
        p.family("autolfads_jobs", kind: .gauge, help: "Jobs by status.",
                 samples: [("queued", s.jobs.queued), ("claimed", s.jobs.claimed), ("done", s.jobs.done), ("failed", s.jobs.failed)]
                    .map { (run + [("status", $0.0)], Double($0.1)) })
        p.family("autolfads_job_retries_total", kind: .counter, help: "Job claims beyond the first attempt.",
                 samples: [(run, Double(s.jobs.retries))])
        p.family("autolfads_process_failures_total", kind: .counter, help: "Jobs failed or lost per slot.",
                 samples: s.processes.map { ([("run", s.run.name), ("process", $0.id), ("client", $0.client)], Double($0.failures)) })
        let ages = s.processes.filter { $0.status == .alive }.compactMap { p in p.lastHeartbeat.map { (p, s.takenAt.timeIntervalSince($0)) } }
        p.family("autolfads_heartbeat_age_seconds", kind: .gauge, help: "Seconds since each alive slot's last heartbeat.",
                 samples: ages.map { ([("process", $0.0.id), ("client", $0.0.client), ("host", $0.0.host)], max(0, $0.1)) })
        p.gauge("autolfads_heartbeat_lag_max_seconds", "Largest heartbeat age over alive slots (0 when none).",
                max(0, ages.map(\.1).max() ?? 0), labels: run)
        let epochs = s.results.compactMap(\.epochs).reduce(0, +)
        let timed = s.results.filter { $0.epochs != nil && ($0.seconds ?? 0) > 0 }
        let secs = timed.compactMap(\.seconds).reduce(0, +)
        p.family("autolfads_training_epochs_total", kind: .counter, help: "Epochs trained over all finished worker-generations.",
                 samples: [(run, Double(epochs))])
        p.gauge("autolfads_training_epochs_per_second", "Epochs per second of one worker process (finished generations).",
                secs > 0 ? Double(timed.compactMap(\.epochs).reduce(0, +)) / secs : 0, labels: run)
        p.gauge("autolfads_generation", "Current generation of the run.", Double(s.run.generation), labels: run)
        p.gauge("autolfads_generations_completed", "Generations every worker has finished.", Double(o.completedGenerations), labels: run)
        if let best = o.bestScore { p.gauge("autolfads_best_score", "Best valid score so far.", best, labels: run) }
        if let eta = o.etaSeconds { p.gauge("autolfads_eta_seconds", "Estimated seconds until max generations.", eta, labels: run) }
        return p.text
    }
}

/// Metric families added to a `PrometheusCollectorRegistry`; names, label escaping and the text
/// format are swift-prometheus's.
struct MetricFamilies {
    enum Kind { case gauge, counter }
    let registry = PrometheusCollectorRegistry()

    /// One family; counters take whole, non-negative values (negative or non-finite ones count as 0).
    func family(_ name: String, kind: Kind, help: String, samples: [([(String, String)], Double)]) {
        for (labels, value) in samples {
            switch kind {
            case .counter:
                registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
                    .increment(by: value.isFinite && value > 0 ? Int64(value.rounded()) : 0)
            case .gauge:
                registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels).set(value)
            }
        }
    }

    func gauge(_ name: String, _ help: String, _ value: Double, labels: [(String, String)] = []) {
        family(name, kind: .gauge, help: help, samples: [(labels, value)])
    }

    var text: String { registry.emitToString() }
}
