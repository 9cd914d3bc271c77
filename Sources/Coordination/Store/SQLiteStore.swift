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

    public func createRun(name: String, config: JSONDocument, now: Date) async throws -> RunRecord {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM runs WHERE name = ?", arguments: [name]) == true {
                throw StoreError.runExists(name)
            }
            let row = try Row.fetchOne(db, sql: """
                INSERT INTO runs (name, config, status, generation, created_at, updated_at)
                VALUES (?, ?, 'created', 0, ?, ?) RETURNING \(Schema.runColumns)
                """, arguments: [name, config.text, now.storeSeconds, now.storeSeconds])!
            return Self.runRecord(row)
        }
    }

    public func run(named name: String) async throws -> RunRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Schema.runColumns) FROM runs WHERE name = ?", arguments: [name]).map(Self.runRecord)
        }
    }

    public func run(id: Int64) async throws -> RunRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Schema.runColumns) FROM runs WHERE id = ?", arguments: [id]).map(Self.runRecord)
        }
    }

    public func runs() async throws -> [RunRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Schema.runColumns) FROM runs ORDER BY id DESC").map(Self.runRecord)
        }
    }

    public func setRunStatus(_ runID: Int64, _ status: RunStatus, now: Date) async throws {
        try await updateRun(runID, sql: "status = ?", status.rawValue, now: now)
    }

    public func setRunGeneration(_ runID: Int64, _ generation: Int, now: Date) async throws {
        try await updateRun(runID, sql: "generation = ?", generation, now: now)
    }

    private func updateRun(_ runID: Int64, sql: String, _ value: some DatabaseValueConvertible & Sendable, now: Date) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE runs SET \(sql), updated_at = ? WHERE id = ?", arguments: [value, now.storeSeconds, runID])
            if db.changesCount == 0 { throw StoreError.unknownRun(runID) }
        }
    }

    // MARK: Workers

    public func upsertWorkers(_ workers: [WorkerRecord], now: Date) async throws {
        try await write { db in
            for w in workers {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM runs WHERE id = ?", arguments: [w.runID]) == true else {
                    throw StoreError.unknownRun(w.runID)
                }
                try db.execute(sql: """
                    INSERT INTO workers (\(Schema.workerColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (run_id, worker) DO UPDATE SET status = excluded.status, hps = excluded.hps,
                      checkpoint = excluded.checkpoint, generation = excluded.generation,
                      last_score = excluded.last_score, parent = excluded.parent, updated_at = excluded.updated_at
                    """, arguments: [w.runID, w.index, w.status.rawValue, w.hps.text, w.checkpoint, w.generation,
                                     w.lastScore, w.parent, now.storeSeconds])
            }
        }
    }

    public func workers(run runID: Int64) async throws -> [WorkerRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Schema.workerColumns) FROM workers WHERE run_id = ? ORDER BY worker",
                             arguments: [runID]).map(Self.workerRecord)
        }
    }

    // MARK: Jobs

    public func enqueueJobs(_ jobs: [JobSpec], now: Date) async throws -> [Int64] {
        try await write { db in
            try jobs.map { j in
                guard j.maxAttempts >= 1 else { throw StoreError.invalidArgument("maxAttempts must be at least 1, got \(j.maxAttempts)") }
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM workers WHERE run_id = ? AND worker = ?",
                                        arguments: [j.runID, j.worker]) == true else {
                    throw StoreError.unknownWorker(run: j.runID, worker: j.worker)
                }
                try db.execute(sql: """
                    INSERT INTO jobs (run_id, worker, generation, status, attempts, max_attempts, payload, created_at, updated_at)
                    VALUES (?, ?, ?, 'queued', 0, ?, ?, ?, ?) ON CONFLICT (run_id, worker, generation) DO NOTHING
                    """, arguments: [j.runID, j.worker, j.generation, j.maxAttempts, j.payload.text, now.storeSeconds, now.storeSeconds])
                return try Int64.fetchOne(db, sql: "SELECT id FROM jobs WHERE run_id = ? AND worker = ? AND generation = ?",
                                          arguments: [j.runID, j.worker, j.generation])!
            }
        }
    }

    public func claimJob(process: String, leaseSeconds: Double, run runID: Int64?, token: String, now: Date) async throws -> ClaimedJob? {
        guard leaseSeconds > 0 else { throw StoreError.invalidArgument("leaseSeconds must be positive, got \(leaseSeconds)") }
        guard !token.isEmpty else { throw StoreError.invalidArgument("the claim token must not be empty") }
        let claimed = try await write { db -> ClaimedJob? in
            try db.execute(sql: "UPDATE processes SET last_heartbeat = ?, status = 'alive' WHERE id = ?",
                           arguments: [now.storeSeconds, process])
            if db.changesCount == 0 { throw StoreError.unknownProcess(process) }
            if let earlier = try Row.fetchOne(db, sql: """
                SELECT \(Schema.jobColumns) FROM jobs WHERE status = 'claimed' AND claimed_by = ? AND claim_token = ?
                """, arguments: [process, token]) {
                return ClaimedJob(job: Self.jobRecord(earlier))   // a retried claim: the same answer
            }
            let filter = runID == nil ? "" : "AND run_id = \(runID!)"
            let row = try Row.fetchOne(db, sql: """
                UPDATE jobs SET status = 'claimed', attempts = attempts + 1, claimed_by = ?, claim_token = ?, claim_renewed = 0,
                  lease_seconds = ?, lease_expires = ?, updated_at = ?
                WHERE id = (SELECT id FROM jobs WHERE status = 'queued' \(filter) ORDER BY id LIMIT 1)
                RETURNING \(Schema.jobColumns)
                """, arguments: [process, token, leaseSeconds, now.storeSeconds + leaseSeconds, now.storeSeconds])
            return row.map { ClaimedJob(job: Self.jobRecord($0)) }
        }
        try await faults.afterClaimCommitted()
        return claimed
    }

    public func heartbeat(process: String, holding claims: [JobClaim], now: Date) async throws -> HeartbeatOutcome {
        try await write { db in
            guard let status = try String.fetchOne(db, sql: "SELECT status FROM processes WHERE id = ?", arguments: [process]) else {
                throw StoreError.unknownProcess(process)
            }
            try db.execute(sql: "UPDATE processes SET last_heartbeat = ?, status = 'alive' WHERE id = ?",
                           arguments: [now.storeSeconds, process])
            var held: [Int64] = []
            for c in claims where c.process == process {
                held += try Int64.fetchAll(db, sql: Schema.Statements.sqlite.renewClaim, arguments: [now.storeSeconds, c.jobID, process, c.attempt, c.token])
            }
            return HeartbeatOutcome(revived: status != ProcessStatus.alive.rawValue, heldJobs: held.sorted())
        }
    }

    public func completeJob(_ claim: JobClaim, result: JSONDocument, now: Date) async throws -> CompletionOutcome {
        try await write { db in
            try db.execute(sql: """
                UPDATE jobs SET status = 'done', result = ?, lease_expires = NULL, updated_at = ?
                WHERE id = ? AND status = 'claimed' AND claimed_by = ? AND attempts = ?
                """, arguments: [result.text, now.storeSeconds, claim.jobID, claim.process, claim.attempt])
            if db.changesCount == 1 {
                try Self.insertEvent(db, runOfJob: claim.jobID, kind: .jobDone,
                                     ["job": claim.jobID, "process": claim.process, "attempt": claim.attempt], now: now)
                return .accepted
            }
            let job = try Row.fetchOne(db, sql: "SELECT \(Schema.jobColumns) FROM jobs WHERE id = ?", arguments: [claim.jobID]).map(Self.jobRecord)
            return JobRules.staleCompletion(job: job, claim: claim)
        }
    }

    public func failJob(_ claim: JobClaim, error: String, now: Date) async throws -> FailureOutcome {
        try await write { db in
            let row = try Row.fetchOne(db, sql: Schema.Statements.sqlite.failJob, arguments: [error, now.storeSeconds, claim.jobID, claim.process, claim.attempt])
            guard let row else {
                let job = try Row.fetchOne(db, sql: "SELECT \(Schema.jobColumns) FROM jobs WHERE id = ?", arguments: [claim.jobID]).map(Self.jobRecord)
                return .rejected(reason: JobRules.staleReason(job: job, claim: claim))
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
            let row = try Row.fetchOne(db, sql: Schema.Statements.sqlite.releaseJob, arguments: [error, now.storeSeconds, claim.jobID, claim.process, claim.attempt])
            guard let row else {
                let job = try Row.fetchOne(db, sql: "SELECT \(Schema.jobColumns) FROM jobs WHERE id = ?", arguments: [claim.jobID]).map(Self.jobRecord)
                return .rejected(reason: JobRules.staleReason(job: job, claim: claim))
            }
            let runID: Int64 = row["run_id"], worker: Int = row["worker"]
            try Self.insertEvent(db, run: runID, kind: .jobReleased, ["job": claim.jobID, "worker": worker, "error": error], now: now)
            return .requeued
        }
    }

    public func reapExpired(now: Date, heartbeatTimeout: Double) async throws -> ReapReport {
        try await write { db in
            var report = ReapReport()
            report.deadProcesses = try String.fetchAll(db, sql: """
                UPDATE processes SET status = 'dead' WHERE status = 'alive' AND last_heartbeat < ? RETURNING id
                """, arguments: [now.storeSeconds - heartbeatTimeout]).sorted()
            for p in report.deadProcesses {
                try Self.insertEvent(db, run: nil, kind: .processDead, ["process": p], now: now)
            }
            let rows = try Row.fetchAll(db, sql: Schema.reapUpdate("?", "?"), arguments: [now.storeSeconds, now.storeSeconds])
            for row in rows {
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
        try await read { db in
            if let generation {
                return try Row.fetchAll(db, sql: "SELECT \(Schema.jobColumns) FROM jobs WHERE run_id = ? AND generation = ? ORDER BY id",
                                        arguments: [runID, generation]).map(Self.jobRecord)
            }
            return try Row.fetchAll(db, sql: "SELECT \(Schema.jobColumns) FROM jobs WHERE run_id = ? ORDER BY id",
                                    arguments: [runID]).map(Self.jobRecord)
        }
    }

    public func job(id: Int64) async throws -> JobRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Schema.jobColumns) FROM jobs WHERE id = ?", arguments: [id]).map(Self.jobRecord)
        }
    }

    // MARK: Processes

    public func registerProcess(_ p: ProcessRegistration, now: Date) async throws {
        try await write { db in
            try db.execute(sql: Schema.Statements.sqlite.registerProcess, arguments: [p.id, p.clientID, p.host, p.slot, p.pid, now.storeSeconds, now.storeSeconds, p.threads])
        }
    }

    public func setProcessStatus(_ id: String, _ status: ProcessStatus, now: Date) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE processes SET status = ? WHERE id = ?", arguments: [status.rawValue, id])
            if db.changesCount == 0 { throw StoreError.unknownProcess(id) }
        }
    }

    public func processes() async throws -> [ProcessRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Schema.processColumns) FROM processes ORDER BY id").map(Self.processRecord)
        }
    }

    // MARK: Events

    @discardableResult
    public func appendEvent(run runID: Int64?, kind: EventKind, message: JSONDocument, now: Date) async throws -> Int64 {
        try await write { db in
            try db.execute(sql: "INSERT INTO events (time, run_id, kind, message) VALUES (?, ?, ?, ?)",
                           arguments: [now.storeSeconds, runID, kind.rawValue, message.text])
            return db.lastInsertedRowID
        }
    }

    public func events(since: Int64, run runID: Int64?, limit: Int) async throws -> [EventRecord] {
        try await read { db in
            let filter = runID == nil ? "" : "AND run_id = \(runID!)"
            return try Row.fetchAll(db, sql: "SELECT \(Schema.eventColumns) FROM events WHERE id > ? \(filter) ORDER BY id LIMIT ?",
                                    arguments: [since, limit]).map(Self.eventRecord)
        }
    }

    // MARK: Helpers

    /// A worker whose training job failed for good (not the final step's) is marked bad.
    static func markWorkerBad(_ db: Database, run: Int64, worker: Int, generation: Int, now: Date) throws {
        guard generation >= 0 else { return }
        try db.execute(sql: "UPDATE workers SET status = 'bad', updated_at = ? WHERE run_id = ? AND worker = ?",
                       arguments: [now.storeSeconds, run, worker])
        try insertEvent(db, run: run, kind: .workerBad, ["worker": worker], now: now)
    }

    static func insertEvent(_ db: Database, run: Int64?, kind: EventKind, _ fields: [String: Any], now: Date) throws {
        try db.execute(sql: "INSERT INTO events (time, run_id, kind, message) VALUES (?, ?, ?, ?)",
                       arguments: [now.storeSeconds, run, kind.rawValue, EventMessage.make(fields).text])
    }

    static func insertEvent(_ db: Database, runOfJob job: Int64, kind: EventKind, _ fields: [String: Any], now: Date) throws {
        let run = try Int64.fetchOne(db, sql: "SELECT run_id FROM jobs WHERE id = ?", arguments: [job])
        try insertEvent(db, run: run, kind: kind, fields, now: now)
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
