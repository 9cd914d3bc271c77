import Foundation

/// Per-generation statistics derived from the results and decisions.
public struct GenerationSummary: Codable, Sendable, Equatable {
    public var generation: Int
    /// Results reported for this generation, and how many had no valid score.
    public var results: Int
    public var failed: Int
    public var best: Double?
    public var median: Double?
    public var bestWorker: Int?
    /// Decisions after this generation that copied another worker.
    public var copies: Int
    /// Time of the last result of this generation, when known.
    public var finishedAt: Date?
    /// Seconds from the previous generation's last result (or the run start) to this one's.
    public var duration: Double?

    public init(generation: Int, results: Int, failed: Int, best: Double?, median: Double?, bestWorker: Int?,
                copies: Int, finishedAt: Date?, duration: Double?) {
        self.generation = generation; self.results = results; self.failed = failed; self.best = best
        self.median = median; self.bestWorker = bestWorker; self.copies = copies; self.finishedAt = finishedAt
        self.duration = duration
    }
}

/// The run overview: progress, best score so far, ETA.
public struct RunOverview: Codable, Sendable, Equatable {
    public var run: RunInfo
    public var completedGenerations: Int
    public var bestScore: Double?
    public var bestWorker: Int?
    public var bestGeneration: Int?
    /// Mean duration of the last (up to) three generations.
    public var generationSeconds: Double?
    /// Estimated seconds to `maxGenerations` (nil when unknown or done).
    public var etaSeconds: Double?
    public var jobs: JobCounts
    public var aliveProcesses: Int
    public var busyProcesses: Int
    public var takenAt: Date
}

/// Pure derivations from a `RunSnapshot`.
public enum RunSummary {
    /// Whether `a` is a better score than `b` under the run's objective.
    static func better(_ a: Double, _ b: Double, minimize: Bool) -> Bool { minimize ? a < b : a > b }

    /// The median of finite values (nil when empty).
    public static func median(_ values: [Double]) -> Double? {
        let v = values.filter(\.isFinite).sorted()
        guard !v.isEmpty else { return nil }
        return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
    }

    /// One summary per generation that has results, in generation order.
    public static func generations(_ s: RunSnapshot) -> [GenerationSummary] {
        let byGen = Dictionary(grouping: s.results, by: \.generation)
        let copies = Dictionary(grouping: s.decisions.filter { $0.action == "copy" }, by: \.generation).mapValues(\.count)
        var out: [GenerationSummary] = []
        var previousEnd: Date? = s.run.createdAt
        for g in byGen.keys.sorted() {
            let rows = byGen[g]!
            let valid = rows.compactMap { r in r.score.flatMap { $0.isFinite ? (r.worker, $0) : nil } }
            let best = valid.min { a, b in
                a.1 == b.1 ? a.0 < b.0 : better(a.1, b.1, minimize: s.run.minimize)
            }
            let end = rows.compactMap(\.finishedAt).max()
            var duration: Double? = nil
            if let end, let previousEnd { duration = max(0, end.timeIntervalSince(previousEnd)) }
            if duration == nil {
                // Without timestamps: the slowest worker's training time is a lower bound of the generation.
                duration = rows.compactMap(\.seconds).max()
            }
            out.append(GenerationSummary(generation: g, results: rows.count, failed: rows.count - valid.count,
                                         best: best?.1, median: median(valid.map(\.1)), bestWorker: best?.0,
                                         copies: copies[g] ?? 0, finishedAt: end, duration: duration))
            if let end { previousEnd = end }
        }
        return out
    }

    /// The overview numbers shown at the top of the dashboard.
    public static func overview(_ s: RunSnapshot) -> RunOverview {
        let gens = generations(s)
        let population = s.run.population ?? max(s.workers.count, Set(s.results.map(\.worker)).count)
        // A worker marked bad trains no more: later generations are complete without it.
        let bad = Set(s.workers.filter { $0.status == .bad }.map(\.worker))
        let rowsByGeneration = Dictionary(grouping: s.results, by: \.generation).mapValues { Set($0.map(\.worker)) }
        let complete = gens.filter { g in
            population > 0 && g.results >= population - bad.subtracting(rowsByGeneration[g.generation] ?? []).count
        }
        let completed = complete.count
        var best: (Double, Int, Int)? = nil
        for r in s.results {
            guard let sc = r.score, sc.isFinite else { continue }
            if best == nil || better(sc, best!.0, minimize: s.run.minimize) { best = (sc, r.worker, r.generation) }
        }
        let durations = gens.compactMap(\.duration).suffix(3)
        let mean = durations.isEmpty ? nil : durations.reduce(0, +) / Double(durations.count)
        var eta: Double? = nil
        if let mean, let maxG = s.run.maxGenerations, !s.run.status.isFinished {
            eta = Double(max(0, maxG - completed)) * mean
        }
        let alive = s.processes.filter { $0.status == .alive }
        return RunOverview(run: s.run, completedGenerations: completed, bestScore: best?.0, bestWorker: best?.1,
                           bestGeneration: best?.2, generationSeconds: mean, etaSeconds: eta, jobs: s.jobs,
                           aliveProcesses: alive.count, busyProcesses: alive.filter { $0.job != nil }.count,
                           takenAt: s.takenAt)
    }

    /// Names of every hyperparameter seen, sorted.
    public static func hpNames(_ s: RunSnapshot) -> [String] {
        var names = Set<String>()
        for r in s.results { names.formUnion(r.hps.keys) }
        for w in s.workers { names.formUnion(w.hps.keys) }
        return names.sorted()
    }

    /// "1h 02m", "3m 05s", "12s".
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "–" }
        let t = Int(seconds.rounded())
        if t >= 3600 { return String(format: "%dh %02dm", t / 3600, (t % 3600) / 60) }
        if t >= 60 { return String(format: "%dm %02ds", t / 60, t % 60) }
        return "\(t)s"
    }
}
