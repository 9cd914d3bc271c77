import Foundation

/// The database that carries all status between the PBT server and its clients.
///
/// Time: every time-dependent operation takes `now` explicitly (the caller's clock, normally `Date()`);
/// the store never reads a clock itself, so tests control time and both backends behave the same.
/// Machines sharing a store need clocks synchronised well within the heartbeat timeout (NTP).
public protocol CoordinationStore: AnyObject, Sendable {
    /// Where the store lives, password redacted.
    var location: String { get }
    /// Applies pending migrations (idempotent, safe to run from several processes at once).
    func migrate() async throws
    /// The highest applied migration number.
    func schemaVersion() async throws -> Int
    /// Releases connections. The store must not be used afterwards.
    func close() async

    // MARK: Runs
    /// Creates a run; throws `StoreError.runExists` if the name is taken.
    func createRun(name: String, config: JSONDocument, now: Date) async throws -> RunRecord
    func run(named name: String) async throws -> RunRecord?
    func run(id: Int64) async throws -> RunRecord?
    /// All runs, newest first.
    func runs() async throws -> [RunRecord]
    func setRunStatus(_ runID: Int64, _ status: RunStatus, now: Date) async throws
    func setRunGeneration(_ runID: Int64, _ generation: Int, now: Date) async throws

    // MARK: Workers
    /// Inserts or replaces workers (keyed by run and index).
    func upsertWorkers(_ workers: [WorkerRecord], now: Date) async throws
    func workers(run runID: Int64) async throws -> [WorkerRecord]

    // MARK: Jobs
    /// Enqueues jobs; a (run, worker, generation) that already has a job keeps it. Returns the job ids in order.
    func enqueueJobs(_ jobs: [JobSpec], now: Date) async throws -> [Int64]
    /// Atomically claims the oldest queued job (of `run` if given); `nil` when none is queued.
    /// `token` is the client's name for this claim: a retried call with the same process and token (the
    /// first answer was lost, or the caller gave up waiting) returns the job that call claimed, if it
    /// committed, instead of claiming a second one.
    func claimJob(process: String, leaseSeconds: Double, run runID: Int64?, token: String, now: Date) async throws -> ClaimedJob?
    /// Records that `process` is alive and extends the lease of each job in `claims` it still holds
    /// (by that job's lease length). A job the process holds but does not list is not renewed: a claim
    /// whose reply never reached the client expires with its lease and `reapExpired` re-queues it.
    func heartbeat(process: String, holding claims: [JobClaim], now: Date) async throws -> HeartbeatOutcome
    /// Stores the result, only for the claim that currently holds the job, and only once.
    func completeJob(_ claim: JobClaim, result: JSONDocument, now: Date) async throws -> CompletionOutcome
    /// Records an error; re-queues the job, or after `maxAttempts` claims fails it and marks its worker `bad`.
    func failJob(_ claim: JobClaim, error: String, now: Date) async throws -> FailureOutcome
    /// Puts the job back in the queue without using up the claim's attempt, for a failure that was not
    /// the job's (a full disk): never fails it or marks its worker bad. Records a `job_released` event
    /// with `error`. Returns `.requeued`, or `.rejected` for a stale claim.
    func releaseJob(_ claim: JobClaim, error: String, now: Date) async throws -> FailureOutcome
    /// Marks processes silent for more than `heartbeatTimeout` seconds dead and releases their jobs and
    /// every expired lease: re-queued, or failed (worker `bad`) when out of attempts. A lease that expired
    /// while its process was alive without ever being renewed (a claim its client never learnt of) is
    /// re-queued without using up the attempt.
    func reapExpired(now: Date, heartbeatTimeout: Double) async throws -> ReapReport
    func jobs(run runID: Int64, generation: Int?) async throws -> [JobRecord]
    func job(id: Int64) async throws -> JobRecord?

    // MARK: Processes
    /// Registers (or re-registers) a process as alive with a fresh heartbeat.
    func registerProcess(_ process: ProcessRegistration, now: Date) async throws
    /// Sets a process's status (e.g. `.exited` on clean shutdown; its claimed jobs are released at the next reap).
    func setProcessStatus(_ id: String, _ status: ProcessStatus, now: Date) async throws
    func processes() async throws -> [ProcessRecord]

    // MARK: Events
    /// Appends an event and returns its id (ids increase).
    @discardableResult
    func appendEvent(run runID: Int64?, kind: EventKind, message: JSONDocument, now: Date) async throws -> Int64
    /// Events with id > `since` (of `run` if given), oldest first, at most `limit`.
    func events(since: Int64, run runID: Int64?, limit: Int) async throws -> [EventRecord]
}

/// Opens a store from a URL-like string: `sqlite:///path/run.db` or `postgres://user@host:port/db`.
/// The PostgreSQL password comes only from `AUTOLFADS_DB_PASSWORD`, `PGPASSWORD` or the file named by
/// `AUTOLFADS_DB_PASSWORD_FILE`. Migrations are applied on open. `onRetry` hears each retry of a
/// PostgreSQL call (one line: what failed, why, when the next try is), so an outage is never silent.
public func openCoordinationStore(_ url: String,
                                  environment: [String: String] = ProcessInfo.processInfo.environment,
                                  retry: RetryPolicy = .default,
                                  onRetry: (@Sendable (String) -> Void)? = nil) async throws -> any CoordinationStore {
    switch try StoreLocation.parse(url, environment: environment) {
    case .sqlite(let path):
        return try await SQLiteStore(path: path)
    case .postgres(let config):
        return try await PostgresStore(config: config, retry: retry, onRetry: onRetry)
    }
}

/// Errors from the coordination store and shared storage. Descriptions are one line, name the thing and
/// the fix, and never contain a password.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case badURL(String)
    case runExists(String)
    case unknownRun(Int64)
    case unknownProcess(String)
    case unknownWorker(run: Int64, worker: Int)
    case invalidArgument(String)
    case schemaTooNew(found: Int, supported: Int)
    case database(String)
    case unavailable(String)
    /// The disk under the database is full: not transient, so callers stop instead of retrying.
    case diskFull(String)

    public var description: String {
        switch self {
        case .badURL(let m): return "store URL: \(m)"
        case .runExists(let n): return "run '\(n)' already exists; pick another name or resume it"
        case .unknownRun(let id): return "run \(id) does not exist in the store; create it first"
        case .unknownProcess(let p): return "process '\(p)' is not registered; call registerProcess first"
        case .unknownWorker(let r, let w): return "worker \(w) of run \(r) does not exist; upsert workers before enqueueing their jobs"
        case .invalidArgument(let m): return m
        case .schemaTooNew(let f, let s): return "store schema version \(f) is newer than this program supports (\(s)); upgrade autolfads"
        case .database(let m): return "database error: \(m)"
        case .unavailable(let m): return "database unavailable: \(m); check the server is running and reachable"
        case .diskFull(let m): return "\(m): the disk is full; free space there and run the same command again (the run resumes where it stopped)"
        }
    }
}
