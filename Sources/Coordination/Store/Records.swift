import Foundation

/// A JSON document stored verbatim (hyperparameters, results, configs, event messages).
/// Decode typed values with `decode(_:)`; when itself encoded with `Codable` it is written as a JSON string.
public struct JSONDocument: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The JSON text.
    public var text: String

    /// Wraps JSON text as is (not validated; use `init(encoding:)` for typed values).
    public init(text: String) { self.text = text }

    /// Encodes a value as JSON (keys sorted, so equal values give equal text).
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the document as `type`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// The empty object `{}`.
    public static let emptyObject = JSONDocument(text: "{}")

    public var description: String { text }

    public init(from decoder: Decoder) throws { text = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}

/// Lifecycle of a run.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case created, running, stopping, done, failed
}

/// PBT worker health: `new` (never trained), `ok`, `bad` (out of retries; never scheduled again).
public enum WorkerStatus: String, Sendable, Codable, CaseIterable {
    case new, ok, bad
}

/// Job lifecycle: queued → claimed → done, or back to queued on failure/expiry, or failed after `maxAttempts`.
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    case queued, claimed, done, failed
}

/// Worker-process liveness as seen by the store.
public enum ProcessStatus: String, Sendable, Codable, CaseIterable {
    case alive, dead, exited
}

/// One AutoLFADS run (a PBT population and its settings).
public struct RunRecord: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var config: JSONDocument
    public var status: RunStatus
    public var generation: Int
    public var createdAt: Date
    public var updatedAt: Date
}

/// One PBT population member's current state.
public struct WorkerRecord: Sendable, Hashable {
    public var runID: Int64
    public var index: Int
    public var status: WorkerStatus
    /// Current hyperparameters (JSON object).
    public var hps: JSONDocument
    /// Current checkpoint, as a path relative to the shared-storage root (see `SharedStorage`).
    public var checkpoint: String?
    public var generation: Int
    public var lastScore: Double?
    /// Worker whose checkpoint/HPs this one copied at the last exploit, if any.
    public var parent: Int?
    public var updatedAt: Date

    public init(runID: Int64, index: Int, status: WorkerStatus = .new, hps: JSONDocument,
                checkpoint: String? = nil, generation: Int = 0, lastScore: Double? = nil,
                parent: Int? = nil, updatedAt: Date = Date(timeIntervalSince1970: 0)) {
        self.runID = runID; self.index = index; self.status = status; self.hps = hps
        self.checkpoint = checkpoint; self.generation = generation; self.lastScore = lastScore
        self.parent = parent; self.updatedAt = updatedAt
    }
}

/// What to enqueue: one training job for one worker-generation.
public struct JobSpec: Sendable, Hashable {
    public var runID: Int64
    public var worker: Int
    public var generation: Int
    /// HPs, checkpoint to start from, epochs, … (JSON object; the store does not interpret it).
    public var payload: JSONDocument
    /// Claims allowed before the job is `failed` and its worker marked `bad`.
    public var maxAttempts: Int

    public init(runID: Int64, worker: Int, generation: Int, payload: JSONDocument, maxAttempts: Int = 3) {
        self.runID = runID; self.worker = worker; self.generation = generation
        self.payload = payload; self.maxAttempts = maxAttempts
    }
}

/// A job row.
public struct JobRecord: Sendable, Hashable {
    public var id: Int64
    public var runID: Int64
    public var worker: Int
    public var generation: Int
    public var status: JobStatus
    /// Number of claims so far (the current claim's number while `claimed`).
    public var attempts: Int
    public var maxAttempts: Int
    public var claimedBy: String?
    public var leaseExpires: Date?
    public var payload: JSONDocument
    public var result: JSONDocument?
    public var error: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// The token of the current claim (chosen by the claiming client), nil when not claimed.
    public var claimToken: String? = nil

    /// The run's final step (posterior outputs of the best model) is an ordinary job with a negative
    /// generation: −1 for the first try, −2 for the retry after a failed one, and so on. It never marks
    /// its worker bad, and the PBT logic never sees it.
    public var isFinalStep: Bool { generation < 0 }
    /// The generation of the final step's `round`-th try (1-based).
    public static func finalStepGeneration(round: Int) -> Int { -round }
    /// How status and the dashboard name a job: `w3/g7`, or `final step (w3)` (`, try 2` for a retry).
    public static func label(worker: Int, generation: Int) -> String {
        generation >= 0 ? "w\(worker)/g\(generation)" : "final step (w\(worker)\(generation < -1 ? ", try \(-generation)" : ""))"
    }
    public var label: String { Self.label(worker: worker, generation: generation) }
    /// The latest try of the final step among `jobs`, if it was enqueued.
    public static func finalStep(in jobs: [JobRecord]) -> JobRecord? {
        jobs.filter(\.isFinalStep).min { $0.generation < $1.generation }
    }
    /// One line on the final step: its status, who runs it, its attempt.
    public var finalStepSummary: String {
        "\(status.rawValue)" + (status == .claimed ? claimedBy.map { " by \($0)" } ?? "" : "")
            + ", attempt \(attempts) of \(maxAttempts)" + (generation < -1 ? " (try \(-generation))" : "")
    }

    /// The jobs that recorded an error (a failed attempt, even when a retry then succeeded), newest
    /// first: what `autolfads status` and the dashboard list as failed attempts.
    public static func withErrorsNewestFirst(_ jobs: [JobRecord]) -> [JobRecord] {
        jobs.filter { $0.error != nil }.sorted { $0.updatedAt > $1.updatedAt }
    }
}

/// Proof of a claim: completing or failing a job needs the exact claim (process and attempt number);
/// heartbeats renew a job's lease only for the claims the client lists (so it must know it holds them).
public struct JobClaim: Sendable, Hashable {
    public var jobID: Int64
    public var process: String
    public var attempt: Int
    /// The token the client chose for the claim (see `CoordinationStore.claimJob`).
    public var token: String
    public init(jobID: Int64, process: String, attempt: Int, token: String = "") {
        self.jobID = jobID; self.process = process; self.attempt = attempt; self.token = token
    }
}

/// A job just claimed by a process.
public struct ClaimedJob: Sendable, Hashable {
    public var job: JobRecord
    public var claim: JobClaim {
        JobClaim(jobID: job.id, process: job.claimedBy ?? "", attempt: job.attempts, token: job.claimToken ?? "")
    }
}

/// A fresh claim token (random, unique for practical purposes).
public func newClaimToken() -> String { UUID().uuidString }

/// Outcome of `completeJob`.
public enum CompletionOutcome: Sendable, Hashable {
    /// The result was recorded now.
    case accepted
    /// This same claim had already completed the job (a retried call); nothing changed.
    case alreadyRecorded
    /// The claim is stale (lease reaped, job re-claimed, failed…); the result was discarded.
    case rejected(reason: String)
}

/// Outcome of `failJob`.
public enum FailureOutcome: Sendable, Hashable {
    /// The job went back to the queue for another attempt.
    case requeued
    /// Out of attempts: the job is `failed` and its worker `bad`.
    case failedPermanently
    /// The claim is stale; nothing changed.
    case rejected(reason: String)
}

/// Outcome of a heartbeat.
public struct HeartbeatOutcome: Sendable, Hashable {
    /// The process had been declared dead (its jobs were re-queued) and is alive again.
    public var revived: Bool
    /// Jobs whose lease this process still holds (extended by this heartbeat). A worker whose job is
    /// missing here lost its claim and should stop.
    public var heldJobs: [Int64]
}

/// What `reapExpired` did.
public struct ReapReport: Sendable, Hashable {
    public var deadProcesses: [String] = []
    public var requeuedJobs: [Int64] = []
    public var failedJobs: [Int64] = []
    public init(deadProcesses: [String] = [], requeuedJobs: [Int64] = [], failedJobs: [Int64] = []) {
        self.deadProcesses = deadProcesses; self.requeuedJobs = requeuedJobs; self.failedJobs = failedJobs
    }
}

/// Identity of a worker process (one slot of one client).
public struct ProcessRegistration: Sendable, Hashable {
    /// Unique id, e.g. `"<client>/<slot>/<pid>"`.
    public var id: String
    public var clientID: String
    public var host: String
    public var slot: Int
    public var pid: Int
    /// Training threads of the worker this slot runs (0 = not reported).
    public var threads: Int
    public init(id: String, clientID: String, host: String, slot: Int, pid: Int, threads: Int = 0) {
        self.id = id; self.clientID = clientID; self.host = host; self.slot = slot; self.pid = pid; self.threads = threads
    }
}

/// A process row.
public struct ProcessRecord: Sendable, Hashable {
    public var id: String
    public var clientID: String
    public var host: String
    public var slot: Int
    public var pid: Int
    public var status: ProcessStatus
    public var startedAt: Date
    public var lastHeartbeat: Date
    /// Training threads of the slot's worker (0 = not reported).
    public var threads: Int = 0
    /// Seconds since the last heartbeat at `now`.
    public func heartbeatAge(now: Date) -> Double { now.timeIntervalSince(lastHeartbeat) }
}

/// An event row (append-only log the server and `autolfads status` read).
public struct EventRecord: Sendable, Hashable {
    public var id: Int64
    public var time: Date
    public var runID: Int64?
    public var kind: EventKind
    public var message: JSONDocument
}

/// What an event row records. The store writes the job and process kinds itself; the server the run's.
/// A kind this version does not know (a newer writer's) reads back as its raw name.
public struct EventKind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// A job finished with a result.
    public static let jobDone = EventKind(rawValue: "job_done")
    /// A job used its last attempt and failed.
    public static let jobFailed = EventKind(rawValue: "job_failed")
    /// A failed attempt that goes back to the queue.
    public static let jobRetry = EventKind(rawValue: "job_retry")
    /// A client gave a claimed job back without using an attempt (e.g. its disk was full).
    public static let jobReleased = EventKind(rawValue: "job_released")
    /// An orphaned claim went back to the queue with its attempt refunded.
    public static let jobRequeued = EventKind(rawValue: "job_requeued")
    /// A process stopped sending heartbeats.
    public static let processDead = EventKind(rawValue: "process_dead")
    /// A worker used up its attempts.
    public static let workerBad = EventKind(rawValue: "worker_bad")
    /// The server's reaper released expired or orphaned claims.
    public static let reap = EventKind(rawValue: "reap")
    /// A synchronous generation was decided.
    public static let generation = EventKind(rawValue: "generation")
    /// An asynchronous decision for one worker.
    public static let decision = EventKind(rawValue: "decision")
    /// The run finished.
    public static let finished = EventKind(rawValue: "finished")
}
