import Foundation
import PostgresNIO

/// The multi-machine store on PostgreSQL (postgres-nio `PostgresClient` pool).
/// Claims use `FOR UPDATE SKIP LOCKED`; every operation retries with bounded exponential backoff when
/// the connection is lost or the server is restarting (`RetryPolicy`), then fails with `StoreError.unavailable`.
public final class PostgresStore: CoordinationStore, Sendable {
    let client: PostgresClient
    private let runner: Task<Void, Never>
    public let settings: PostgresSettings
    public let retry: RetryPolicy
    let logger: Logger
    let onRetry: (@Sendable (String) -> Void)?
    public var location: String { settings.description }
    /// Fault injection for tests (nothing set in normal use).
    public let faults = StoreFaults()

    /// Connects and applies migrations.
    public init(config: PostgresSettings, retry: RetryPolicy = .default, maxConnections: Int = 20,
                onRetry: (@Sendable (String) -> Void)? = nil) async throws {
        settings = config
        self.retry = retry
        self.onRetry = onRetry
        var logger = Logger(label: "autolfads.store.postgres")
        logger.logLevel = .critical
        self.logger = logger
        var pc: PostgresClient.Configuration
        if let dir = config.socketDirectory {
            pc = .init(unixSocketPath: "\(dir)/.s.PGSQL.\(config.port)", username: config.user,
                       password: config.password, database: config.database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch config.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(.makeClientConfiguration())
            case .require: tls = .require(.makeClientConfiguration())
            }
            pc = .init(host: config.host, port: config.port, username: config.user, password: config.password,
                       database: config.database, tls: tls)
        }
        pc.options.maximumConnections = maxConnections
        pc.options.connectTimeout = .seconds(5)
        pc.options.additionalStartupParameters = Self.sessionParameters(config)
        let client = PostgresClient(configuration: pc, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
        do { try await migrate() } catch {
            runner.cancel()
            throw error
        }
    }

    deinit { runner.cancel() }

    /// Session settings sent at connect: the idle-in-transaction limit (`PostgresSettings.idleTransactionTimeout`)
    /// and TCP keepalives (first probe after 15 s idle, every 5 s, 3 lost probes), so that the server also
    /// notices a vanished client outside a transaction within half a minute and frees its connection.
    static func sessionParameters(_ config: PostgresSettings) -> [(String, String)] {
        var p = [("tcp_keepalives_idle", "15"), ("tcp_keepalives_interval", "5"), ("tcp_keepalives_count", "3")]
        if let t = config.idleTransactionTimeout {
            p.append(("idle_in_transaction_session_timeout", String(max(1, Int((t * 1000).rounded())))))
        }
        return p
    }

    public func close() async { runner.cancel() }

    /// Runs `body` under the retry policy and maps errors to `StoreError`.
    func op<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            let location = location, maxAttempts = retry.maxAttempts, onRetry = onRetry
            return try await retry.run(isRetryable: PostgresErrors.isRetryable, onRetry: { attempt, wait, error in
                onRetry?(String(format: "store %@ (%@): %@; try %d of %d in %.1f s", location, what,
                                PostgresErrors.describe(error), attempt + 1, maxAttempts, wait))
            }) {
                do { return try await withAttemptTimeout(retry.attemptTimeout, body) } catch {
                    throw PostgresErrors.unwrap(error)
                }
            }
        }
        catch let e as StoreError { throw e }
        catch {
            if PostgresErrors.isRetryable(error) {
                throw StoreError.unavailable("\(location) (\(what), after \(retry.maxAttempts) tries): \(PostgresErrors.describe(error))")
            }
            if PostgresErrors.isDiskFull(error) { throw StoreError.diskFull("PostgreSQL server \(location) (\(what))") }
            throw StoreError.database("\(what) on \(location): \(PostgresErrors.describe(error))")
        }
    }

    /// A transaction under the retry policy.
    func transaction<T: Sendable>(_ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await op(what) {
            try await self.client.withTransaction(logger: self.logger) { conn in try await body(conn) }
        }
    }

    func rows<T: Sendable>(_ what: String, _ q: PostgresQuery, _ transform: @escaping @Sendable (PostgresRow) throws -> T) async throws -> [T] {
        try await op(what) { try await self.client.query(q, logger: self.logger).map(transform) }
    }

    // MARK: Migrations

    public func migrate() async throws {
        let migrations = Schema.migrations(.postgres)
        try await transaction("migrate") { conn in
            // One migrator at a time across all clients.
            try await conn.query("SELECT pg_advisory_xact_lock(727274)", logger: self.logger)
            try await conn.query("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)", logger: self.logger)
            let current = try await conn.query("SELECT COALESCE(MAX(version), 0)::BIGINT AS v FROM schema_version", logger: self.logger)
                .map { try $0.value("v", as: Int.self) }.first ?? 0
            guard current <= migrations.count else { throw StoreError.schemaTooNew(found: current, supported: migrations.count) }
            for (i, statements) in migrations.enumerated() where i + 1 > current {
                for sql in statements { try await conn.query(PostgresQuery(unsafeSQL: sql), logger: self.logger) }
                try await conn.query("INSERT INTO schema_version (version, applied_at) VALUES (\(i + 1), \(Date().storeSeconds))", logger: self.logger)
            }
        }
    }

    public func schemaVersion() async throws -> Int {
        try await rows("schemaVersion", "SELECT COALESCE(MAX(version), 0)::BIGINT AS v FROM schema_version") {
            try $0.value("v", as: Int.self)
        }.first ?? 0
    }

    // MARK: Runs

    public func createRun(name: String, config: JSONDocument, now: Date) async throws -> RunRecord {
        do {
            return try await rows("createRun", """
                INSERT INTO runs (name, config, status, generation, created_at, updated_at)
                VALUES (\(name), \(config.text), 'created', 0, \(now.storeSeconds), \(now.storeSeconds))
                RETURNING \(unescaped: Schema.runColumns)
                """) { try $0.runRecord() }[0]
        } catch StoreError.database(let m) where m.contains("23505") {
            throw StoreError.runExists(name)
        }
    }

    public func run(named name: String) async throws -> RunRecord? {
        try await rows("run", "SELECT \(unescaped: Schema.runColumns) FROM runs WHERE name = \(name)") { try $0.runRecord() }.first
    }

    public func run(id: Int64) async throws -> RunRecord? {
        try await rows("run", "SELECT \(unescaped: Schema.runColumns) FROM runs WHERE id = \(id)") { try $0.runRecord() }.first
    }

    public func runs() async throws -> [RunRecord] {
        try await rows("runs", "SELECT \(unescaped: Schema.runColumns) FROM runs ORDER BY id DESC") { try $0.runRecord() }
    }

    public func setRunStatus(_ runID: Int64, _ status: RunStatus, now: Date) async throws {
        let n = try await rows("setRunStatus", "UPDATE runs SET status = \(status.rawValue), updated_at = \(now.storeSeconds) WHERE id = \(runID) RETURNING id") { _ in 1 }
        if n.isEmpty { throw StoreError.unknownRun(runID) }
    }

    public func setRunGeneration(_ runID: Int64, _ generation: Int, now: Date) async throws {
        let n = try await rows("setRunGeneration", "UPDATE runs SET generation = \(generation), updated_at = \(now.storeSeconds) WHERE id = \(runID) RETURNING id") { _ in 1 }
        if n.isEmpty { throw StoreError.unknownRun(runID) }
    }

    // MARK: Workers

    public func upsertWorkers(_ workers: [WorkerRecord], now: Date) async throws {
        try await transaction("upsertWorkers") { conn in
            for w in workers {
                let exists = try await conn.query("SELECT 1 AS one FROM runs WHERE id = \(w.runID)", logger: self.logger).map { _ in 1 }
                if exists.isEmpty { throw StoreError.unknownRun(w.runID) }
                try await conn.query("""
                    INSERT INTO workers (\(unescaped: Schema.workerColumns)) VALUES (\(w.runID), \(w.index), \(w.status.rawValue),
                      \(w.hps.text), \(w.checkpoint), \(w.generation), \(w.lastScore), \(w.parent), \(now.storeSeconds))
                    ON CONFLICT (run_id, worker) DO UPDATE SET status = excluded.status, hps = excluded.hps,
                      checkpoint = excluded.checkpoint, generation = excluded.generation,
                      last_score = excluded.last_score, parent = excluded.parent, updated_at = excluded.updated_at
                    """, logger: self.logger)
            }
        }
    }

    public func workers(run runID: Int64) async throws -> [WorkerRecord] {
        try await rows("workers", "SELECT \(unescaped: Schema.workerColumns) FROM workers WHERE run_id = \(runID) ORDER BY worker") {
            try $0.workerRecord()
        }
    }

    // MARK: Jobs

    public func enqueueJobs(_ jobs: [JobSpec], now: Date) async throws -> [Int64] {
        for j in jobs where j.maxAttempts < 1 {
            throw StoreError.invalidArgument("maxAttempts must be at least 1, got \(j.maxAttempts)")
        }
        return try await transaction("enqueueJobs") { conn in
            var ids: [Int64] = []
            for j in jobs {
                let exists = try await conn.query("SELECT 1 AS one FROM workers WHERE run_id = \(j.runID) AND worker = \(j.worker)", logger: self.logger).map { _ in 1 }
                if exists.isEmpty { throw StoreError.unknownWorker(run: j.runID, worker: j.worker) }
                try await conn.query("""
                    INSERT INTO jobs (run_id, worker, generation, status, attempts, max_attempts, payload, created_at, updated_at)
                    VALUES (\(j.runID), \(j.worker), \(j.generation), 'queued', 0, \(j.maxAttempts), \(j.payload.text),
                      \(now.storeSeconds), \(now.storeSeconds))
                    ON CONFLICT (run_id, worker, generation) DO NOTHING
                    """, logger: self.logger)
                ids += try await conn.query("SELECT id FROM jobs WHERE run_id = \(j.runID) AND worker = \(j.worker) AND generation = \(j.generation)",
                                            logger: self.logger).map { try $0.value("id", as: Int64.self) }
            }
            return ids
        }
    }

    public func claimJob(process: String, leaseSeconds: Double, run runID: Int64?, token: String, now: Date) async throws -> ClaimedJob? {
        guard leaseSeconds > 0 else { throw StoreError.invalidArgument("leaseSeconds must be positive, got \(leaseSeconds)") }
        guard !token.isEmpty else { throw StoreError.invalidArgument("the claim token must not be empty") }
        // The fault hook runs inside the retried operation, after COMMIT: a lost reply there is retried
        // like a dropped connection, and the retry finds the claim by its token.
        return try await op("claimJob") {
            let claimed = try await self.client.withTransaction(logger: self.logger) { conn -> ClaimedJob? in
                let p = try await conn.query("UPDATE processes SET last_heartbeat = \(now.storeSeconds), status = 'alive' WHERE id = \(process) RETURNING id",
                                             logger: self.logger).map { _ in 1 }
                if p.isEmpty { throw StoreError.unknownProcess(process) }
                if let earlier = try await conn.query("""
                    SELECT \(unescaped: Schema.jobColumns) FROM jobs WHERE status = 'claimed' AND claimed_by = \(process) AND claim_token = \(token)
                    """, logger: self.logger).map({ ClaimedJob(job: try $0.jobRecord()) }).first {
                    return earlier   // a retried claim: the same answer
                }
                return try await conn.query("""
                    UPDATE jobs SET status = 'claimed', attempts = attempts + 1, claimed_by = \(process), claim_token = \(token),
                      claim_renewed = 0, lease_seconds = \(leaseSeconds), lease_expires = \(now.storeSeconds + leaseSeconds),
                      updated_at = \(now.storeSeconds)
                    WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND (\(runID)::BIGINT IS NULL OR run_id = \(runID))
                                ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                    RETURNING \(unescaped: Schema.jobColumns)
                    """, logger: self.logger).map { ClaimedJob(job: try $0.jobRecord()) }.first
            }
            try await self.faults.afterClaimCommitted()
            return claimed
        }
    }

    public func heartbeat(process: String, holding claims: [JobClaim], now: Date) async throws -> HeartbeatOutcome {
        try await transaction("heartbeat") { conn in
            guard let status = try await conn.query("SELECT status FROM processes WHERE id = \(process) FOR UPDATE", logger: self.logger)
                    .map({ try $0.value("status", as: String.self) }).first else {
                throw StoreError.unknownProcess(process)
            }
            try await conn.query("UPDATE processes SET last_heartbeat = \(now.storeSeconds), status = 'alive' WHERE id = \(process)", logger: self.logger)
            var held: [Int64] = []
            for c in claims where c.process == process {
                held += try await conn.query(try Self.shared(Schema.Statements.postgres.renewClaim, now.storeSeconds, c.jobID, process, c.attempt, c.token),
                                             logger: self.logger).map { try $0.value("id", as: Int64.self) }
            }
            return HeartbeatOutcome(revived: status != ProcessStatus.alive.rawValue, heldJobs: held.sorted())
        }
    }

    public func completeJob(_ claim: JobClaim, result: JSONDocument, now: Date) async throws -> CompletionOutcome {
        try await transaction("completeJob") { conn in
            let done = try await conn.query("""
                UPDATE jobs SET status = 'done', result = \(result.text), lease_expires = NULL, updated_at = \(now.storeSeconds)
                WHERE id = \(claim.jobID) AND status = 'claimed' AND claimed_by = \(claim.process) AND attempts = \(claim.attempt)
                RETURNING run_id
                """, logger: self.logger).map { try $0.value("run_id", as: Int64.self) }
            if let runID = done.first {
                try await self.insertEvent(conn, run: runID, kind: .jobDone,
                                           ["job": claim.jobID, "process": claim.process, "attempt": claim.attempt], now: now)
                return .accepted
            }
            let job = try await conn.query("SELECT \(unescaped: Schema.jobColumns) FROM jobs WHERE id = \(claim.jobID)", logger: self.logger)
                .map { try $0.jobRecord() }.first
            return JobRules.staleCompletion(job: job, claim: claim)
        }
    }

    public func failJob(_ claim: JobClaim, error: String, now: Date) async throws -> FailureOutcome {
        try await transaction("failJob") { conn in
            let rows = try await conn.query(try Self.shared(Schema.Statements.postgres.failJob, error, now.storeSeconds, claim.jobID,
                                                        claim.process, claim.attempt), logger: self.logger).map {
                    (try $0.value("status", as: String.self), try $0.value("run_id", as: Int64.self), try $0.value("worker", as: Int.self),
                     try $0.value("generation", as: Int.self))
                }
            guard let (status, runID, worker, generation) = rows.first else {
                let job = try await conn.query("SELECT \(unescaped: Schema.jobColumns) FROM jobs WHERE id = \(claim.jobID)", logger: self.logger)
                    .map { try $0.jobRecord() }.first
                return .rejected(reason: JobRules.staleReason(job: job, claim: claim))
            }
            if status == JobStatus.failed.rawValue {
                try await self.markWorkerBad(conn, run: runID, worker: worker, generation: generation, now: now)
                try await self.insertEvent(conn, run: runID, kind: .jobFailed, ["job": claim.jobID, "worker": worker, "error": error], now: now)
                return .failedPermanently
            }
            try await self.insertEvent(conn, run: runID, kind: .jobRetry, ["job": claim.jobID, "worker": worker, "error": error], now: now)
            return .requeued
        }
    }

    public func releaseJob(_ claim: JobClaim, error: String, now: Date) async throws -> FailureOutcome {
        try await transaction("releaseJob") { conn in
            let rows = try await conn.query(try Self.shared(Schema.Statements.postgres.releaseJob, error, now.storeSeconds, claim.jobID,
                                                        claim.process, claim.attempt), logger: self.logger).map { (try $0.value("run_id", as: Int64.self), try $0.value("worker", as: Int.self)) }
            guard let (runID, worker) = rows.first else {
                let job = try await conn.query("SELECT \(unescaped: Schema.jobColumns) FROM jobs WHERE id = \(claim.jobID)", logger: self.logger)
                    .map { try $0.jobRecord() }.first
                return .rejected(reason: JobRules.staleReason(job: job, claim: claim))
            }
            try await self.insertEvent(conn, run: runID, kind: .jobReleased, ["job": claim.jobID, "worker": worker, "error": error], now: now)
            return .requeued
        }
    }

    public func reapExpired(now: Date, heartbeatTimeout: Double) async throws -> ReapReport {
        try await transaction("reapExpired") { conn in
            var report = ReapReport()
            report.deadProcesses = try await conn.query("""
                UPDATE processes SET status = 'dead' WHERE status = 'alive' AND last_heartbeat < \(now.storeSeconds - heartbeatTimeout) RETURNING id
                """, logger: self.logger).map { try $0.value("id", as: String.self) }.sorted()
            for p in report.deadProcesses {
                try await self.insertEvent(conn, run: nil, kind: .processDead, ["process": p], now: now)
            }
            var reap = PostgresBindings()
            reap.append(now.storeSeconds); reap.append(now.storeSeconds)
            let released = try await conn.query(PostgresQuery(unsafeSQL: Schema.reapUpdate("$1", "$2"), binds: reap), logger: self.logger).map {
                    (try $0.value("id", as: Int64.self), try $0.value("status", as: String.self),
                     try $0.value("run_id", as: Int64.self), try $0.value("worker", as: Int.self), try $0.value("generation", as: Int.self))
                }
            for (id, status, runID, worker, generation) in released {
                if status == JobStatus.failed.rawValue {
                    report.failedJobs.append(id)
                    try await self.markWorkerBad(conn, run: runID, worker: worker, generation: generation, now: now)
                    try await self.insertEvent(conn, run: runID, kind: .jobFailed, ["job": id, "worker": worker, "error": "lease expired"], now: now)
                } else {
                    report.requeuedJobs.append(id)
                    try await self.insertEvent(conn, run: runID, kind: .jobRequeued, ["job": id, "worker": worker], now: now)
                }
            }
            report.requeuedJobs.sort(); report.failedJobs.sort()
            return report
        }
    }

    public func jobs(run runID: Int64, generation: Int?) async throws -> [JobRecord] {
        try await rows("jobs", """
            SELECT \(unescaped: Schema.jobColumns) FROM jobs
            WHERE run_id = \(runID) AND (\(generation)::BIGINT IS NULL OR generation = \(generation)) ORDER BY id
            """) { try $0.jobRecord() }
    }

    public func job(id: Int64) async throws -> JobRecord? {
        try await rows("job", "SELECT \(unescaped: Schema.jobColumns) FROM jobs WHERE id = \(id)") { try $0.jobRecord() }.first
    }

    /// A statement shared with SQLite (`Schema.Statements.postgres`) with its parameters bound in order.
    static func shared(_ sql: String, _ values: any PostgresEncodable...) throws -> PostgresQuery {
        var binds = PostgresBindings()
        for v in values { try binds.append(v) }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    // MARK: Processes

    public func registerProcess(_ p: ProcessRegistration, now: Date) async throws {
        _ = try await rows("registerProcess", try Self.shared(Schema.Statements.postgres.registerProcess,
                                                          p.id, p.clientID, p.host, p.slot, p.pid, now.storeSeconds, now.storeSeconds, p.threads)) { _ in 1 }
    }

    public func setProcessStatus(_ id: String, _ status: ProcessStatus, now: Date) async throws {
        let n = try await rows("setProcessStatus", "UPDATE processes SET status = \(status.rawValue) WHERE id = \(id) RETURNING id") { _ in 1 }
        if n.isEmpty { throw StoreError.unknownProcess(id) }
    }

    public func processes() async throws -> [ProcessRecord] {
        try await rows("processes", "SELECT \(unescaped: Schema.processColumns) FROM processes ORDER BY id") { try $0.processRecord() }
    }

    // MARK: Events

    @discardableResult
    public func appendEvent(run runID: Int64?, kind: EventKind, message: JSONDocument, now: Date) async throws -> Int64 {
        try await rows("appendEvent", """
            INSERT INTO events (time, run_id, kind, message) VALUES (\(now.storeSeconds), \(runID), \(kind.rawValue), \(message.text)) RETURNING id
            """) { try $0.value("id", as: Int64.self) }[0]
    }

    public func events(since: Int64, run runID: Int64?, limit: Int) async throws -> [EventRecord] {
        try await rows("events", """
            SELECT \(unescaped: Schema.eventColumns) FROM events
            WHERE id > \(since) AND (\(runID)::BIGINT IS NULL OR run_id = \(runID)) ORDER BY id LIMIT \(limit)
            """) { try $0.eventRecord() }
    }

    // MARK: Helpers

    /// A worker whose training job failed for good (not the final step's) is marked bad.
    func markWorkerBad(_ conn: PostgresConnection, run: Int64, worker: Int, generation: Int, now: Date) async throws {
        guard generation >= 0 else { return }
        try await conn.query("UPDATE workers SET status = 'bad', updated_at = \(now.storeSeconds) WHERE run_id = \(run) AND worker = \(worker)",
                             logger: logger)
        try await insertEvent(conn, run: run, kind: .workerBad, ["worker": worker], now: now)
    }

    func insertEvent(_ conn: PostgresConnection, run: Int64?, kind: EventKind, _ fields: [String: Any], now: Date) async throws {
        let message = EventMessage.make(fields).text
        try await conn.query("INSERT INTO events (time, run_id, kind, message) VALUES (\(now.storeSeconds), \(run), \(kind.rawValue), \(message))",
                             logger: logger)
    }
}
