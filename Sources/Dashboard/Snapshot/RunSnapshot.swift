import Coordination
import Foundation
import LFADSData

/// Everything the dashboard, the report and `/metrics` show about one run at one moment.
/// Plain values: built from fixtures in tests, from the coordination store + shared storage live.
public struct RunSnapshot: Codable, Sendable, Equatable {
    public var run: RunInfo
    /// Current population, one row per worker.
    public var workers: [WorkerRow]
    /// Every finished worker-generation (hp_log / completed jobs).
    public var results: [ResultRow]
    /// PBT decisions (decisions.csv / job payloads).
    public var decisions: [DecisionRow]
    /// Client processes (slots) with heartbeats.
    public var processes: [ProcessRow]
    public var jobs: JobCounts
    /// Per worker-generation training curves (metrics.csv).
    public var metrics: [MetricSeries]
    /// Jobs that failed at least once, newest failure first (at most `ProblemRow.limit`).
    public var problems: [ProblemRow] = []
    /// NLB scores of the best model (`best/evaluation.json`, written by `evaluate` and by the run's report).
    public var evaluation: NLBEvaluation?
    /// When the snapshot was taken.
    public var takenAt: Date

    public init(run: RunInfo, workers: [WorkerRow] = [], results: [ResultRow] = [], decisions: [DecisionRow] = [],
                processes: [ProcessRow] = [], jobs: JobCounts = JobCounts(), metrics: [MetricSeries] = [], takenAt: Date) {
        self.run = run; self.workers = workers; self.results = results; self.decisions = decisions
        self.processes = processes; self.jobs = jobs; self.metrics = metrics; self.takenAt = takenAt
    }
}

/// Run-level facts.
public struct RunInfo: Codable, Sendable, Equatable {
    public var name: String
    public var status: RunPhase
    /// Current generation (as the server reports it).
    public var generation: Int
    public var maxGenerations: Int?
    public var population: Int?
    /// True when lower scores are better (the LFADS default).
    public var minimize: Bool
    /// sync | async, when known.
    public var mode: String?
    public var createdAt: Date?
    public var updatedAt: Date?
    /// Hyperparameters best shown on a log axis (log-uniform initialisation or log perturbation).
    public var logScaledHPs: [String]
    /// What the score is (`pbt.metric`, e.g. valid_cobps), when known.
    public var metric: String?
    /// The final step's job (the best model's outputs), once enqueued: status, holder, attempt.
    public var finalStep: String?

    public init(name: String, status: RunPhase = .unknown, generation: Int = 0, maxGenerations: Int? = nil,
                population: Int? = nil, minimize: Bool = true, mode: String? = nil, createdAt: Date? = nil,
                updatedAt: Date? = nil, logScaledHPs: [String] = []) {
        self.name = name; self.status = status; self.generation = generation; self.maxGenerations = maxGenerations
        self.population = population; self.minimize = minimize; self.mode = mode; self.createdAt = createdAt
        self.updatedAt = updatedAt; self.logScaledHPs = logScaledHPs
    }
}

/// A run's status as shown: the store's `RunStatus`, or `unknown` for a run directory read without its store.
public enum RunPhase: String, Codable, Sendable, Equatable {
    case created, running, stopping, done, failed, unknown

    public init(_ status: RunStatus) {
        switch status {
        case .created: self = .created
        case .running: self = .running
        case .stopping: self = .stopping
        case .done: self = .done
        case .failed: self = .failed
        }
    }

    /// The run has ended (done or failed).
    public var isFinished: Bool { self == .done || self == .failed }
}

/// One worker of the population as it is now.
public struct WorkerRow: Codable, Sendable, Equatable {
    public var worker: Int
    public var generation: Int
    /// new | ok | bad (the store's; from logs alone: ok, or bad for a failed latest result).
    public var status: WorkerStatus
    public var score: Double?
    public var hps: [String: Double]
    /// Worker it last copied from (nil = never copied).
    public var parent: Int?
    /// Status of its latest job, when known (from the store).
    public var job: JobStatus?

    public init(worker: Int, generation: Int, status: WorkerStatus, score: Double?, hps: [String: Double],
                parent: Int? = nil, job: JobStatus? = nil) {
        self.worker = worker; self.generation = generation; self.status = status; self.score = score
        self.hps = hps; self.parent = parent; self.job = job
    }
}

/// A finished worker-generation.
public struct ResultRow: Codable, Sendable, Equatable {
    public var generation: Int
    public var worker: Int
    public var hps: [String: Double]
    /// nil for a failed (NaN) result.
    public var score: Double?
    public var finishedAt: Date?
    /// Training seconds of this generation, when known.
    public var seconds: Double?
    /// Epochs trained in this generation, when known.
    public var epochs: Int?

    public init(generation: Int, worker: Int, hps: [String: Double], score: Double?, finishedAt: Date? = nil,
                seconds: Double? = nil, epochs: Int? = nil) {
        self.generation = generation; self.worker = worker; self.hps = hps; self.score = score
        self.finishedAt = finishedAt; self.seconds = seconds; self.epochs = epochs
    }
}

/// A PBT decision made after `generation` for `worker`.
public struct DecisionRow: Codable, Sendable, Equatable {
    public var generation: Int
    public var worker: Int
    /// keep | copy | noValidDonor.
    public var action: String
    public var parent: Int
    public var parentGeneration: Int
    public var score: Double?
    public var parentScore: Double?
    public var oldHPs: [String: Double]
    public var newHPs: [String: Double]

    public init(generation: Int, worker: Int, action: String, parent: Int, parentGeneration: Int, score: Double?,
                parentScore: Double?, oldHPs: [String: Double], newHPs: [String: Double]) {
        self.generation = generation; self.worker = worker; self.action = action; self.parent = parent
        self.parentGeneration = parentGeneration; self.score = score; self.parentScore = parentScore
        self.oldHPs = oldHPs; self.newHPs = newHPs
    }
}

/// A client worker slot (one process).
public struct ProcessRow: Codable, Sendable, Equatable {
    public var id: String
    public var client: String
    public var host: String
    public var slot: Int
    public var pid: Int?
    public var status: ProcessStatus
    public var startedAt: Date?
    public var lastHeartbeat: Date?
    /// "w<worker>/g<generation>" of the job it holds, nil when idle.
    public var job: String?
    /// Jobs this process failed (or lost), when known.
    public var failures: Int

    public init(id: String, client: String, host: String, slot: Int, pid: Int? = nil, status: ProcessStatus,
                startedAt: Date? = nil, lastHeartbeat: Date? = nil, job: String? = nil, failures: Int = 0) {
        self.id = id; self.client = client; self.host = host; self.slot = slot; self.pid = pid; self.status = status
        self.startedAt = startedAt; self.lastHeartbeat = lastHeartbeat; self.job = job; self.failures = failures
    }
}

/// A job whose last attempt failed (or that failed before succeeding): what went wrong and where.
public struct ProblemRow: Codable, Sendable, Equatable {
    /// Rows shown at most.
    public static let limit = 20
    public var worker: Int
    public var generation: Int
    public var attempts: Int
    /// The job's status now: queued (to be retried) | claimed | done (a retry succeeded) | failed.
    public var status: JobStatus
    /// The last error, as the client or the server recorded it (e.g. the worker's exit and log path).
    public var error: String
    public var at: Date
    /// The last line of the worker log the error points to (`see <path>`), usually the actual cause.
    public var logTail: String?

    public init(worker: Int, generation: Int, attempts: Int, status: JobStatus, error: String, at: Date, logTail: String? = nil) {
        self.worker = worker; self.generation = generation; self.attempts = attempts
        self.status = status; self.error = error; self.at = at; self.logTail = logTail
    }
}

/// Job counts by status, and how many claims were retried.
public struct JobCounts: Codable, Sendable, Equatable {
    public var queued: Int
    public var claimed: Int
    public var done: Int
    public var failed: Int
    /// Claims beyond the first attempt (attempts − 1 summed over jobs).
    public var retries: Int

    public init(queued: Int = 0, claimed: Int = 0, done: Int = 0, failed: Int = 0, retries: Int = 0) {
        self.queued = queued; self.claimed = claimed; self.done = done; self.failed = failed; self.retries = retries
    }
}

/// One worker-generation's training curve: `columns` names, `rows` values (NaN where missing).
public struct MetricSeries: Codable, Sendable, Equatable {
    public var worker: Int
    public var generation: Int
    public var columns: [String]
    public var rows: [[Double]]

    public init(worker: Int, generation: Int, columns: [String], rows: [[Double]]) {
        self.worker = worker; self.generation = generation; self.columns = columns; self.rows = rows
    }

    /// Values of the named column (nil if absent).
    public func column(_ name: String) -> [Double]? {
        guard let i = columns.firstIndex(of: name) else { return nil }
        return rows.map { i < $0.count ? $0[i] : .nan }
    }

    /// Codable: NaN is not valid JSON, so values are stored as optionals.
    enum CodingKeys: String, CodingKey { case worker, generation, columns, rows }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        worker = try c.decode(Int.self, forKey: .worker)
        generation = try c.decode(Int.self, forKey: .generation)
        columns = try c.decode([String].self, forKey: .columns)
        rows = try c.decode([[Double?]].self, forKey: .rows).map { $0.map { $0 ?? .nan } }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(worker, forKey: .worker)
        try c.encode(generation, forKey: .generation)
        try c.encode(columns, forKey: .columns)
        try c.encode(rows.map { $0.map { $0.isFinite ? $0 : nil } }, forKey: .rows)
    }
}
