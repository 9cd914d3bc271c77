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
        let start = Date()
        var tries = 1
        do {
            let location = location, maxAttempts = retry.maxAttempts, onRetry = onRetry
            return try await retry.run(isRetryable: PostgresErrors.isRetryable, onRetry: { attempt, wait, error in
                tries = attempt + 1
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
                throw StoreError.unavailable(String(format: "%@ (%@, %d %@ in %.0f s): %@", location, what, tries, tries == 1 ? "try" : "tries",
                                                   Date().timeIntervalSince(start), PostgresErrors.describe(error)))
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

    func rows<T: Sendable>(_ what: String, _ s: SQLStatement, _ transform: @escaping @Sendable (PostgresRow) throws -> T) async throws -> [T] {
        let q = s.query
        return try await op(what) { try await self.client.query(q, logger: self.logger).map(transform) }
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
        try await op("schemaVersion") {
            try await self.client.query("SELECT COALESCE(MAX(version), 0)::BIGINT AS v FROM schema_version", logger: self.logger)
                .map { try $0.value("v", as: Int.self) }.first ?? 0
        }
    }

    // MARK: Runs

    static let sql = Statements.postgres

    public func createRun(name: String, config: JSONDocument, now: Date) async throws -> RunRecord {
        do {
            return try await rows("createRun", Self.sql.insertRun(name: name, config: config.text, now: now.storeSeconds)) { try $0.runRecord() }[0]
        } catch StoreError.database(let m) where m.contains("23505") {
            throw StoreError.runExists(name)
        }
    }

    public func run(named name: String) async throws -> RunRecord? {
        try await rows("run", Self.sql.run(named: name)) { try $0.runRecord() }.first
    }

    public func run(id: Int64) async throws -> RunRecord? {
        try await rows("run", Self.sql.run(id: id)) { try $0.runRecord() }.first
    }

    public func runs() async throws -> [RunRecord] {
        try await rows("runs", Self.sql.allRuns) { try $0.runRecord() }
    }

    public func setRunStatus(_ runID: Int64, _ status: RunStatus, now: Date) async throws {
        let n = try await rows("setRunStatus", Self.sql.setRunStatus(runID, status.rawValue, now: now.storeSeconds)) { _ in 1 }
        if n.isEmpty { throw StoreError.unknownRun(runID) }
    }

    public func setRunGeneration(_ runID: Int64, _ generation: Int, now: Date) async throws {
        let n = try await rows("setRunGeneration", Self.sql.setRunGeneration(runID, generation, now: now.storeSeconds)) { _ in 1 }
        if n.isEmpty { throw StoreError.unknownRun(runID) }
    }

    // MARK: Workers

    public func upsertWorkers(_ workers: [WorkerRecord], now: Date) async throws {
        try await transaction("upsertWorkers") { conn in
            for w in workers {
                if try await self.rows(conn, Self.sql.runExists(w.runID)).isEmpty { throw StoreError.unknownRun(w.runID) }
                _ = try await self.rows(conn, Self.sql.upsertWorker(w, now: now.storeSeconds))
            }
        }
    }

    public func workers(run runID: Int64) async throws -> [WorkerRecord] {
        try await rows("workers", Self.sql.workers(run: runID)) { try $0.workerRecord() }
    }

    // MARK: Jobs

    public func enqueueJobs(_ jobs: [JobSpec], now: Date) async throws -> [Int64] {
        for j in jobs where j.maxAttempts < 1 {
            throw StoreError.invalidArgument("maxAttempts must be at least 1, got \(j.maxAttempts)")
        }
        return try await transaction("enqueueJobs") { conn in
            var ids: [Int64] = []
            for j in jobs {
                if try await self.rows(conn, Self.sql.workerExists(run: j.runID, worker: j.worker)).isEmpty {
                    throw StoreError.unknownWorker(run: j.runID, worker: j.worker)
                }
                _ = try await self.rows(conn, Self.sql.insertJob(j, now: now.storeSeconds))
                ids += try await self.rows(conn, Self.sql.jobID(run: j.runID, worker: j.worker, generation: j.generation))
                    .map { try $0.value("id", as: Int64.self) }
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
                if try await self.rows(conn, Self.sql.touchProcess(process, now: now.storeSeconds)).isEmpty {
                    throw StoreError.unknownProcess(process)
                }
                if let earlier = try await self.rows(conn, Self.sql.claimed(by: process, token: token)).first {
                    return ClaimedJob(job: try earlier.jobRecord())   // a retried claim: the same answer
                }
                let next = Self.sql.claimNext(process: process, token: token, leaseSeconds: leaseSeconds, run: runID, now: now.storeSeconds)
                return try await self.rows(conn, next).first.map { ClaimedJob(job: try $0.jobRecord()) }
            }
            try await self.faults.afterClaimCommitted()
            return claimed
        }
    }

    public func heartbeat(process: String, holding claims: [JobClaim], now: Date) async throws -> HeartbeatOutcome {
        try await transaction("heartbeat") { conn in
            guard let status = try await self.rows(conn, Self.sql.processStatus(process)).first?.value("status", as: String.self) else {
                throw StoreError.unknownProcess(process)
            }
            _ = try await self.rows(conn, Self.sql.touchProcess(process, now: now.storeSeconds))
            var held: [Int64] = []
            for c in claims where c.process == process {
                held += try await self.rows(conn, Self.sql.renewClaim(c, now: now.storeSeconds)).map { try $0.value("id", as: Int64.self) }
            }
            return HeartbeatOutcome(revived: status != ProcessStatus.alive.rawValue, heldJobs: held.sorted())
        }
    }

    public func completeJob(_ claim: JobClaim, result: JSONDocument, now: Date) async throws -> CompletionOutcome {
        try await transaction("completeJob") { conn in
            if let done = try await self.rows(conn, Self.sql.completeJob(claim, result: result.text, now: now.storeSeconds)).first {
                try await self.insertEvent(conn, run: try done.value("run_id", as: Int64.self), kind: .jobDone,
                                           ["job": claim.jobID, "process": claim.process, "attempt": claim.attempt], now: now)
                return .accepted
            }
            return JobRules.staleCompletion(job: try await self.job(conn, claim.jobID), claim: claim)
        }
    }

    public func failJob(_ claim: JobClaim, error: String, now: Date) async throws -> FailureOutcome {
        try await transaction("failJob") { conn in
            guard let row = try await self.rows(conn, Self.sql.failJob(claim, error: error, now: now.storeSeconds)).first else {
                return .rejected(reason: JobRules.staleReason(job: try await self.job(conn, claim.jobID), claim: claim))
            }
            let (status, runID, worker, generation) = (try row.value("status", as: String.self), try row.value("run_id", as: Int64.self),
                                                       try row.value("worker", as: Int.self), try row.value("generation", as: Int.self))
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
            guard let row = try await self.rows(conn, Self.sql.releaseJob(claim, error: error, now: now.storeSeconds)).first else {
                return .rejected(reason: JobRules.staleReason(job: try await self.job(conn, claim.jobID), claim: claim))
            }
            let (runID, worker) = (try row.value("run_id", as: Int64.self), try row.value("worker", as: Int.self))
            try await self.insertEvent(conn, run: runID, kind: .jobReleased, ["job": claim.jobID, "worker": worker, "error": error], now: now)
            return .requeued
        }
    }

    public func reapExpired(now: Date, heartbeatTimeout: Double) async throws -> ReapReport {
        try await transaction("reapExpired") { conn in
            var report = ReapReport()
            report.deadProcesses = try await self.rows(conn, Self.sql.markDeadProcesses(before: now.storeSeconds - heartbeatTimeout))
                .map { try $0.value("id", as: String.self) }.sorted()
            for p in report.deadProcesses {
                try await self.insertEvent(conn, run: nil, kind: .processDead, ["process": p], now: now)
            }
            for row in try await self.rows(conn, Self.sql.reapClaims(now: now.storeSeconds)) {
                let (id, status, runID, worker, generation) = (try row.value("id", as: Int64.self), try row.value("status", as: String.self),
                                                               try row.value("run_id", as: Int64.self), try row.value("worker", as: Int.self),
                                                               try row.value("generation", as: Int.self))
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
        try await rows("jobs", Self.sql.jobs(run: runID, generation: generation)) { try $0.jobRecord() }
    }

    public func job(id: Int64) async throws -> JobRecord? {
        try await rows("job", Self.sql.job(id: id)) { try $0.jobRecord() }.first
    }

    // MARK: Processes

    public func registerProcess(_ p: ProcessRegistration, now: Date) async throws {
        _ = try await rows("registerProcess", Self.sql.registerProcess(p, now: now.storeSeconds)) { _ in 1 }
    }

    public func setProcessStatus(_ id: String, _ status: ProcessStatus, now: Date) async throws {
        let n = try await rows("setProcessStatus", Self.sql.setProcessStatus(id, status.rawValue)) { _ in 1 }
        if n.isEmpty { throw StoreError.unknownProcess(id) }
    }

    public func processes() async throws -> [ProcessRecord] {
        try await rows("processes", Self.sql.allProcesses) { try $0.processRecord() }
    }

    // MARK: Events

    @discardableResult
    public func appendEvent(run runID: Int64?, kind: EventKind, message: JSONDocument, now: Date) async throws -> Int64 {
        try await rows("appendEvent", Self.sql.insertEvent(run: runID, kind: kind, message: message.text, now: now.storeSeconds)) {
            try $0.value("id", as: Int64.self)
        }[0]
    }

    public func events(since: Int64, run runID: Int64?, limit: Int) async throws -> [EventRecord] {
        try await rows("events", Self.sql.events(since: since, run: runID, limit: limit)) { try $0.eventRecord() }
    }

    // MARK: Helpers

    /// One statement's rows inside a transaction.
    func rows(_ conn: PostgresConnection, _ s: SQLStatement) async throws -> [PostgresRow] {
        try await conn.query(s.query, logger: logger).collect()
    }

    func job(_ conn: PostgresConnection, _ id: Int64) async throws -> JobRecord? {
        try await rows(conn, Self.sql.job(id: id)).first?.jobRecord()
    }

    /// A worker whose training job failed for good (not the final step's) is marked bad.
    func markWorkerBad(_ conn: PostgresConnection, run: Int64, worker: Int, generation: Int, now: Date) async throws {
        guard generation >= 0 else { return }
        _ = try await rows(conn, Self.sql.markWorkerBad(run: run, worker: worker, now: now.storeSeconds))
        try await insertEvent(conn, run: run, kind: .workerBad, ["worker": worker], now: now)
    }

    func insertEvent(_ conn: PostgresConnection, run: Int64?, kind: EventKind, _ fields: [String: Any], now: Date) async throws {
        _ = try await rows(conn, Self.sql.insertEvent(run: run, kind: kind, message: EventMessage.make(fields).text, now: now.storeSeconds))
    }
}

extension SQLStatement {
    /// The values as PostgreSQL binds them to `$1, $2, …` (NULL untyped: the server infers it from the column).
    var query: PostgresQuery {
        var binds = PostgresBindings()
        for v in values {
            switch v {
            case .int(let i): binds.append(i)
            case .real(let d): binds.append(d)
            case .text(let t): binds.append(t)
            case .null: binds.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
