import Foundation
import GRDB

/// The embedded store: one SQLite file in WAL mode, shared by several processes on one machine.
/// Every write is an IMMEDIATE transaction, so concurrent writers (threads or processes) serialise
/// on the database lock (waiting up to `busyTimeout`) instead of failing or interleaving.
public final class SQLiteStore: CoordinationStore, Sendable {
    let pool: DatabasePool
    public let path: String
    public var location: String { "sqlite://\(path)" }
    /// Fault injection for tests (nothing set in normal use).
    public let faults = StoreFaults()

    /// Opens (creating if needed) the database at `path` and applies migrations.
    public init(path: String, busyTimeout: Double = 30) async throws {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            throw StoreError.badURL("directory '\(dir)' for the SQLite store does not exist; create it first")
        }
        do { pool = try DatabasePool(path: path, configuration: config) } catch {
            if let e = error as? DatabaseError, [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(e.resultCode) {
                throw StoreError.database("the SQLite store '\(path)' is damaged (\(e.resultCode)): restore it from a backup, or move it away to start the run afresh (checkpoints and logs in shared storage are kept)")
            }
            throw StoreError.database("cannot open SQLite store '\(path)': \(error)")
        }
        try await migrate()
    }

    public func close() async { try? pool.close() }

    /// Runs a write transaction, mapping SQLite errors to `StoreError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.write(body) } catch let e as StoreError { throw e } catch { throw mapped(error) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch let e as StoreError { throw e } catch { throw mapped(error) }
    }

    func mapped(_ error: Error) -> StoreError {
        if let e = error as? DatabaseError, e.resultCode == .SQLITE_FULL { return .diskFull("SQLite store \(path)") }
        return .database("\(error)")
    }

    // MARK: Migrations

    public func migrate() async throws {
        let migrations = Schema.migrations(.sqlite)
        try await write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)")
            let current = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(version), 0) FROM schema_version") ?? 0
            guard current <= migrations.count else {
                throw StoreError.schemaTooNew(found: current, supported: migrations.count)
            }
            for (i, statements) in migrations.enumerated() where i + 1 > current {
                for sql in statements { try db.execute(sql: sql) }
                try db.execute(sql: "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                               arguments: [i + 1, Date().storeSeconds])
            }
        }
    }

    public func schemaVersion() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(version), 0) FROM schema_version") ?? 0 }
    }

    // MARK: Runs

    static let sql = Statements.sqlite

    public func createRun(name: String, config: JSONDocument, now: Date) async throws -> RunRecord {
        try await write { db in
            if try !Self.rows(db, Self.sql.run(named: name)).isEmpty { throw StoreError.runExists(name) }
            return Self.runRecord(try Self.rows(db, Self.sql.insertRun(name: name, config: config.text, now: now.storeSeconds))[0])
        }
    }

    public func run(named name: String) async throws -> RunRecord? {
        try await read { db in try Self.rows(db, Self.sql.run(named: name)).first.map(Self.runRecord) }
    }

    public func run(id: Int64) async throws -> RunRecord? {
        try await read { db in try Self.rows(db, Self.sql.run(id: id)).first.map(Self.runRecord) }
    }

    public func runs() async throws -> [RunRecord] {
        try await read { db in try Self.rows(db, Self.sql.allRuns).map(Self.runRecord) }
    }

    public func setRunStatus(_ runID: Int64, _ status: RunStatus, now: Date) async throws {
        try await write { db in
            if try Self.rows(db, Self.sql.setRunStatus(runID, status.rawValue, now: now.storeSeconds)).isEmpty { throw StoreError.unknownRun(runID) }
        }
    }

    public func setRunGeneration(_ runID: Int64, _ generation: Int, now: Date) async throws {
        try await write { db in
            if try Self.rows(db, Self.sql.setRunGeneration(runID, generation, now: now.storeSeconds)).isEmpty { throw StoreError.unknownRun(runID) }
        }
    }

    // MARK: Workers

    public func upsertWorkers(_ workers: [WorkerRecord], now: Date) async throws {
        try await write { db in
            for w in workers {
                if try Self.rows(db, Self.sql.runExists(w.runID)).isEmpty { throw StoreError.unknownRun(w.runID) }
                try Self.execute(db, Self.sql.upsertWorker(w, now: now.storeSeconds))
            }
        }
    }

    public func workers(run runID: Int64) async throws -> [WorkerRecord] {
        try await read { db in try Self.rows(db, Self.sql.workers(run: runID)).map(Self.workerRecord) }
    }

    // MARK: Jobs

    public func enqueueJobs(_ jobs: [JobSpec], now: Date) async throws -> [Int64] {
        try await write { db in
            try jobs.map { j in
                guard j.maxAttempts >= 1 else { throw StoreError.invalidArgument("maxAttempts must be at least 1, got \(j.maxAttempts)") }
                if try Self.rows(db, Self.sql.workerExists(run: j.runID, worker: j.worker)).isEmpty {
                    throw StoreError.unknownWorker(run: j.runID, worker: j.worker)
                }
                try Self.execute(db, Self.sql.insertJob(j, now: now.storeSeconds))
                return try Self.rows(db, Self.sql.jobID(run: j.runID, worker: j.worker, generation: j.generation))[0]["id"]
            }
        }
    }

    public func claimJob(process: String, leaseSeconds: Double, run runID: Int64?, token: String, now: Date) async throws -> ClaimedJob? {
        guard leaseSeconds > 0 else { throw StoreError.invalidArgument("leaseSeconds must be positive, got \(leaseSeconds)") }
        guard !token.isEmpty else { throw StoreError.invalidArgument("the claim token must not be empty") }
        let claimed = try await write { db -> ClaimedJob? in
            if try Self.rows(db, Self.sql.touchProcess(process, now: now.storeSeconds)).isEmpty { throw StoreError.unknownProcess(process) }
            if let earlier = try Self.rows(db, Self.sql.claimed(by: process, token: token)).first {
                return ClaimedJob(job: Self.jobRecord(earlier))   // a retried claim: the same answer
            }
            let next = Self.sql.claimNext(process: process, token: token, leaseSeconds: leaseSeconds, run: runID, now: now.storeSeconds)
            return try Self.rows(db, next).first.map { ClaimedJob(job: Self.jobRecord($0)) }
        }
        try await faults.afterClaimCommitted()
        return claimed
    }

    public func heartbeat(process: String, holding claims: [JobClaim], now: Date) async throws -> HeartbeatOutcome {
        try await write { db in
            guard let status: String = try Self.rows(db, Self.sql.processStatus(process)).first?["status"] else {
                throw StoreError.unknownProcess(process)
            }
            try Self.execute(db, Self.sql.touchProcess(process, now: now.storeSeconds))
            var held: [Int64] = []
            for c in claims where c.process == process {
                held += try Self.rows(db, Self.sql.renewClaim(c, now: now.storeSeconds)).map { $0["id"] }
            }
            return HeartbeatOutcome(revived: status != ProcessStatus.alive.rawValue, heldJobs: held.sorted())
        }
    }

    public func completeJob(_ claim: JobClaim, result: JSONDocument, now: Date) async throws -> CompletionOutcome {
        try await write { db in
            if let done = try Self.rows(db, Self.sql.completeJob(claim, result: result.text, now: now.storeSeconds)).first {
                try Self.insertEvent(db, run: done["run_id"], kind: .jobDone,
                                     ["job": claim.jobID, "process": claim.process, "attempt": claim.attempt], now: now)
                return .accepted
            }
            return JobRules.staleCompletion(job: try Self.job(db, claim.jobID), claim: claim)
        }
    }

    public func failJob(_ claim: JobClaim, error: String, now: Date) async throws -> FailureOutcome {
        try await write { db in
            guard let row = try Self.rows(db, Self.sql.failJob(claim, error: error, now: now.storeSeconds)).first else {
                return .rejected(reason: JobRules.staleReason(job: try Self.job(db, claim.jobID), claim: claim))
            }
            let status: String = row["status"], runID: Int64 = row["run_id"], worker: Int = row["worker"], generation: Int = row["generation"]
            if status == JobStatus.failed.rawValue {
                try Self.markWorkerBad(db, run: runID, worker: worker, generation: generation, now: now)
                try Self.insertEvent(db, run: runID, kind: .jobFailed,
                                     ["job": claim.jobID, "worker": worker, "error": error], now: now)
                return .failedPermanently
            }
            try Self.insertEvent(db, run: runID, kind: .jobRetry, ["job": claim.jobID, "worker": worker, "error": error], now: now)
            return .requeued
        }
    }

    public func releaseJob(_ claim: JobClaim, error: String, now: Date) async throws -> FailureOutcome {
        try await write { db in
            guard let row = try Self.rows(db, Self.sql.releaseJob(claim, error: error, now: now.storeSeconds)).first else {
                return .rejected(reason: JobRules.staleReason(job: try Self.job(db, claim.jobID), claim: claim))
            }
            let runID: Int64 = row["run_id"], worker: Int = row["worker"]
            try Self.insertEvent(db, run: runID, kind: .jobReleased, ["job": claim.jobID, "worker": worker, "error": error], now: now)
            return .requeued
        }
    }

    public func reapExpired(now: Date, heartbeatTimeout: Double) async throws -> ReapReport {
        try await write { db in
            var report = ReapReport()
            report.deadProcesses = try Self.rows(db, Self.sql.markDeadProcesses(before: now.storeSeconds - heartbeatTimeout))
                .map { $0["id"] as String }.sorted()
            for p in report.deadProcesses {
                try Self.insertEvent(db, run: nil, kind: .processDead, ["process": p], now: now)
            }
            for row in try Self.rows(db, Self.sql.reapClaims(now: now.storeSeconds)) {
                let id: Int64 = row["id"], status: String = row["status"], runID: Int64 = row["run_id"], worker: Int = row["worker"]
                if status == JobStatus.failed.rawValue {
                    report.failedJobs.append(id)
                    try Self.markWorkerBad(db, run: runID, worker: worker, generation: row["generation"], now: now)
                    try Self.insertEvent(db, run: runID, kind: .jobFailed, ["job": id, "worker": worker, "error": "lease expired"], now: now)
                } else {
                    report.requeuedJobs.append(id)
                    try Self.insertEvent(db, run: runID, kind: .jobRequeued, ["job": id, "worker": worker], now: now)
                }
            }
            report.requeuedJobs.sort(); report.failedJobs.sort()
            return report
        }
    }

    public func jobs(run runID: Int64, generation: Int?) async throws -> [JobRecord] {
        try await read { db in try Self.rows(db, Self.sql.jobs(run: runID, generation: generation)).map(Self.jobRecord) }
    }

    public func job(id: Int64) async throws -> JobRecord? {
        try await read { db in try Self.job(db, id) }
    }

    // MARK: Processes

    public func registerProcess(_ p: ProcessRegistration, now: Date) async throws {
        try await write { db in try Self.execute(db, Self.sql.registerProcess(p, now: now.storeSeconds)) }
    }

    public func setProcessStatus(_ id: String, _ status: ProcessStatus, now: Date) async throws {
        try await write { db in
            if try Self.rows(db, Self.sql.setProcessStatus(id, status.rawValue)).isEmpty { throw StoreError.unknownProcess(id) }
        }
    }

    public func processes() async throws -> [ProcessRecord] {
        try await read { db in try Self.rows(db, Self.sql.allProcesses).map(Self.processRecord) }
    }

    // MARK: Events

    @discardableResult
    public func appendEvent(run runID: Int64?, kind: EventKind, message: JSONDocument, now: Date) async throws -> Int64 {
        try await write { db in
            try Self.rows(db, Self.sql.insertEvent(run: runID, kind: kind, message: message.text, now: now.storeSeconds))[0]["id"]
        }
    }

    public func events(since: Int64, run runID: Int64?, limit: Int) async throws -> [EventRecord] {
        try await read { db in try Self.rows(db, Self.sql.events(since: since, run: runID, limit: limit)).map(Self.eventRecord) }
    }

    // MARK: Helpers

    /// The rows a statement returns (all of them: an UPDATE … RETURNING runs to its end).
    static func rows(_ db: Database, _ s: SQLStatement) throws -> [Row] { try Row.fetchAll(db, sql: s.sql, arguments: s.arguments) }

    static func execute(_ db: Database, _ s: SQLStatement) throws { try db.execute(sql: s.sql, arguments: s.arguments) }

    static func job(_ db: Database, _ id: Int64) throws -> JobRecord? { try rows(db, sql.job(id: id)).first.map(jobRecord) }

    /// A worker whose training job failed for good (not the final step's) is marked bad.
    static func markWorkerBad(_ db: Database, run: Int64, worker: Int, generation: Int, now: Date) throws {
        guard generation >= 0 else { return }
        try execute(db, sql.markWorkerBad(run: run, worker: worker, now: now.storeSeconds))
        try insertEvent(db, run: run, kind: .workerBad, ["worker": worker], now: now)
    }

    static func insertEvent(_ db: Database, run: Int64?, kind: EventKind, _ fields: [String: Any], now: Date) throws {
        _ = try rows(db, sql.insertEvent(run: run, kind: kind, message: EventMessage.make(fields).text, now: now.storeSeconds))
    }

    static func runRecord(_ r: Row) -> RunRecord {
        RunRecord(id: r["id"], name: r["name"], config: JSONDocument(text: r["config"]),
                  status: RunStatus(rawValue: r["status"]) ?? .failed, generation: r["generation"],
                  createdAt: Date(storeSeconds: r["created_at"]), updatedAt: Date(storeSeconds: r["updated_at"]))
    }

    static func workerRecord(_ r: Row) -> WorkerRecord {
        WorkerRecord(runID: r["run_id"], index: r["worker"], status: WorkerStatus(rawValue: r["status"]) ?? .bad,
                     hps: JSONDocument(text: r["hps"]), checkpoint: r["checkpoint"], generation: r["generation"],
                     lastScore: r["last_score"], parent: r["parent"], updatedAt: Date(storeSeconds: r["updated_at"]))
    }

    static func jobRecord(_ r: Row) -> JobRecord {
        JobRecord(id: r["id"], runID: r["run_id"], worker: r["worker"], generation: r["generation"],
                  status: JobStatus(rawValue: r["status"]) ?? .failed, attempts: r["attempts"], maxAttempts: r["max_attempts"],
                  claimedBy: r["claimed_by"], leaseExpires: (r["lease_expires"] as Double?).map(Date.init(storeSeconds:)),
                  payload: JSONDocument(text: r["payload"]), result: (r["result"] as String?).map(JSONDocument.init(text:)),
                  error: r["error"], createdAt: Date(storeSeconds: r["created_at"]), updatedAt: Date(storeSeconds: r["updated_at"]),
                  claimToken: r["claim_token"])
    }

    static func processRecord(_ r: Row) -> ProcessRecord {
        ProcessRecord(id: r["id"], clientID: r["client_id"], host: r["host"], slot: r["slot"], pid: r["pid"],
                      status: ProcessStatus(rawValue: r["status"]) ?? .dead, startedAt: Date(storeSeconds: r["started_at"]),
                      lastHeartbeat: Date(storeSeconds: r["last_heartbeat"]), threads: r["threads"])
    }

    static func eventRecord(_ r: Row) -> EventRecord {
        EventRecord(id: r["id"], time: Date(storeSeconds: r["time"]), runID: r["run_id"], kind: EventKind(rawValue: r["kind"]),
                    message: JSONDocument(text: r["message"]))
    }
}

extension SQLStatement {
    /// The values as GRDB binds them to `?1, ?2, …`.
    var arguments: StatementArguments {
        StatementArguments(values.map { v -> (any DatabaseValueConvertible)? in
            switch v {
            case .int(let i): i
            case .real(let d): d
            case .text(let t): t
            case .null: nil
            }
        })
    }
}
