import Foundation

/// A value bound to a statement's placeholder.
enum SQLValue: Sendable, Equatable {
    case int(Int64), real(Double), text(String), null
}

/// Swift values a statement binds.
protocol SQLBindable { var sqlValue: SQLValue { get } }
extension Int: SQLBindable { var sqlValue: SQLValue { .int(Int64(self)) } }
extension Int64: SQLBindable { var sqlValue: SQLValue { .int(self) } }
extension Double: SQLBindable { var sqlValue: SQLValue { .real(self) } }
extension String: SQLBindable { var sqlValue: SQLValue { .text(self) } }
extension Optional: SQLBindable where Wrapped: SQLBindable { var sqlValue: SQLValue { self?.sqlValue ?? .null } }

/// SQL text with numbered placeholders and the values bound to them (placeholder `n` takes `values[n-1]`).
struct SQLStatement: Sendable {
    let sql: String
    let values: [SQLValue]
}

/// Every statement of the store, written once for both backends: parameters are numbered placeholders
/// (`?1, ?2, …` in SQLite, `$1, $2, …` in PostgreSQL, each usable more than once), and the only dialect
/// words are the row locks PostgreSQL takes (`FOR UPDATE`, `SKIP LOCKED`; SQLite serialises writers on
/// its database lock instead). Each function names its parameters, so the binding order lives here only.
struct Statements: Sendable {
    private let placeholder: @Sendable (Int) -> String
    /// Appended to a SELECT that reads a row the transaction then updates.
    private let forUpdate: String
    /// Appended to the SELECT that picks the next queued job: concurrent claimers take different rows.
    private let forUpdateSkipLocked: String

    static let sqlite = Statements(placeholder: { "?\($0)" }, forUpdate: "", forUpdateSkipLocked: "")
    static let postgres = Statements(placeholder: { "$\($0)" }, forUpdate: " FOR UPDATE", forUpdateSkipLocked: " FOR UPDATE SKIP LOCKED")

    /// The statement with `$n` in `template` replaced by this dialect's placeholder `n` (highest first, so
    /// `$1` never eats the start of `$10`). Every `$n` must have a value: a template that names one more
    /// than it binds stops the program in debug builds (SQLite would fill it silently).
    private func statement(_ template: String, _ values: any SQLBindable...) -> SQLStatement {
        var sql = template
        for n in stride(from: values.count, through: 1, by: -1) { sql = sql.replacingOccurrences(of: "$\(n)", with: placeholder(n)) }
        assert({
            var unbound = template
            for n in stride(from: values.count, through: 1, by: -1) { unbound = unbound.replacingOccurrences(of: "$\(n)", with: "") }
            return !Self.hasUnboundPlaceholder(unbound)
        }(), "a $n without a value in: \(template)")
        return SQLStatement(sql: sql, values: values.map(\.sqlValue))
    }

    /// True when `sql` still holds a `$` followed by a digit.
    static func hasUnboundPlaceholder(_ sql: String) -> Bool {
        zip(sql, sql.dropFirst()).contains { $0 == "$" && $1.isNumber }
    }

    // MARK: Runs

    func insertRun(name: String, config: String, now: Double) -> SQLStatement {
        statement("""
            INSERT INTO runs (name, config, status, generation, created_at, updated_at)
            VALUES ($1, $2, 'created', 0, $3, $3) RETURNING \(Schema.runColumns)
            """, name, config, now)
    }
    func run(named name: String) -> SQLStatement { statement("SELECT \(Schema.runColumns) FROM runs WHERE name = $1", name) }
    func run(id: Int64) -> SQLStatement { statement("SELECT \(Schema.runColumns) FROM runs WHERE id = $1", id) }
    var allRuns: SQLStatement { statement("SELECT \(Schema.runColumns) FROM runs ORDER BY id DESC") }
    func runExists(_ id: Int64) -> SQLStatement { statement("SELECT 1 AS one FROM runs WHERE id = $1", id) }
    func setRunStatus(_ id: Int64, _ status: String, now: Double) -> SQLStatement {
        statement("UPDATE runs SET status = $1, updated_at = $2 WHERE id = $3 RETURNING id", status, now, id)
    }
    func setRunGeneration(_ id: Int64, _ generation: Int, now: Double) -> SQLStatement {
        statement("UPDATE runs SET generation = $1, updated_at = $2 WHERE id = $3 RETURNING id", generation, now, id)
    }

    // MARK: Workers

    func upsertWorker(_ w: WorkerRecord, now: Double) -> SQLStatement {
        statement("""
            INSERT INTO workers (\(Schema.workerColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (run_id, worker) DO UPDATE SET status = excluded.status, hps = excluded.hps,
              checkpoint = excluded.checkpoint, generation = excluded.generation,
              last_score = excluded.last_score, parent = excluded.parent, updated_at = excluded.updated_at
            """, w.runID, w.index, w.status.rawValue, w.hps.text, w.checkpoint, w.generation, w.lastScore, w.parent, now)
    }
    func workers(run: Int64) -> SQLStatement {
        statement("SELECT \(Schema.workerColumns) FROM workers WHERE run_id = $1 ORDER BY worker", run)
    }
    func workerExists(run: Int64, worker: Int) -> SQLStatement {
        statement("SELECT 1 AS one FROM workers WHERE run_id = $1 AND worker = $2", run, worker)
    }
    /// A worker whose training job failed for good is marked bad.
    func markWorkerBad(run: Int64, worker: Int, now: Double) -> SQLStatement {
        statement("UPDATE workers SET status = 'bad', updated_at = $1 WHERE run_id = $2 AND worker = $3", now, run, worker)
    }

    // MARK: Jobs

    /// A new queued job; an existing (run, worker, generation) is left as it is.
    func insertJob(_ j: JobSpec, now: Double) -> SQLStatement {
        statement("""
            INSERT INTO jobs (run_id, worker, generation, status, attempts, max_attempts, payload, created_at, updated_at)
            VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $6) ON CONFLICT (run_id, worker, generation) DO NOTHING
            """, j.runID, j.worker, j.generation, j.maxAttempts, j.payload.text, now)
    }
    func jobID(run: Int64, worker: Int, generation: Int) -> SQLStatement {
        statement("SELECT id FROM jobs WHERE run_id = $1 AND worker = $2 AND generation = $3", run, worker, generation)
    }
    func job(id: Int64) -> SQLStatement { statement("SELECT \(Schema.jobColumns) FROM jobs WHERE id = $1", id) }
    /// A run's jobs, of one generation or (nil) all.
    func jobs(run: Int64, generation: Int?) -> SQLStatement {
        guard let generation else { return statement("SELECT \(Schema.jobColumns) FROM jobs WHERE run_id = $1 ORDER BY id", run) }
        return statement("SELECT \(Schema.jobColumns) FROM jobs WHERE run_id = $1 AND generation = $2 ORDER BY id", run, generation)
    }
    /// The job this process already claimed with this token (a retried claim gets the same answer).
    func claimed(by process: String, token: String) -> SQLStatement {
        statement("SELECT \(Schema.jobColumns) FROM jobs WHERE status = 'claimed' AND claimed_by = $1 AND claim_token = $2", process, token)
    }
    /// Claims the oldest queued job (of `run`, or of any run when nil).
    func claimNext(process: String, token: String, leaseSeconds: Double, run: Int64?, now: Double) -> SQLStatement {
        statement("""
            UPDATE jobs SET status = 'claimed', attempts = attempts + 1, claimed_by = $1, claim_token = $2, claim_renewed = 0,
              lease_seconds = $3, lease_expires = $4, updated_at = $5
            WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND (CAST($6 AS BIGINT) IS NULL OR run_id = $6)
                        ORDER BY id LIMIT 1\(forUpdateSkipLocked))
            RETURNING \(Schema.jobColumns)
            """, process, token, leaseSeconds, now + leaseSeconds, now, run)
    }
    /// Renews one held claim's lease.
    func renewClaim(_ c: JobClaim, now: Double) -> SQLStatement {
        statement("""
            UPDATE jobs SET lease_expires = $1 + lease_seconds, claim_renewed = 1
            WHERE id = $2 AND claimed_by = $3 AND status = 'claimed' AND attempts = $4 AND COALESCE(claim_token, '') = $5
            RETURNING id
            """, now, c.jobID, c.process, c.attempt, c.token)
    }
    func completeJob(_ c: JobClaim, result: String, now: Double) -> SQLStatement {
        statement("""
            UPDATE jobs SET status = 'done', result = $1, lease_expires = NULL, updated_at = $2
            WHERE id = $3 AND status = 'claimed' AND claimed_by = $4 AND attempts = $5
            RETURNING run_id
            """, result, now, c.jobID, c.process, c.attempt)
    }
    /// A failed attempt: queued again, or failed for good after the last.
    func failJob(_ c: JobClaim, error: String, now: Double) -> SQLStatement {
        statement("""
            UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
              claimed_by = CASE WHEN attempts >= max_attempts THEN claimed_by ELSE NULL END,
              lease_expires = NULL, error = $1, updated_at = $2
            WHERE id = $3 AND status = 'claimed' AND claimed_by = $4 AND attempts = $5
            RETURNING status, run_id, worker, generation
            """, error, now, c.jobID, c.process, c.attempt)
    }
    /// A claim given back with its attempt refunded.
    func releaseJob(_ c: JobClaim, error: String, now: Double) -> SQLStatement {
        statement("""
            UPDATE jobs SET status = 'queued', attempts = attempts - 1, claimed_by = NULL, lease_expires = NULL,
              error = $1, updated_at = $2
            WHERE id = $3 AND status = 'claimed' AND claimed_by = $4 AND attempts = $5
            RETURNING run_id, worker
            """, error, now, c.jobID, c.process, c.attempt)
    }
    /// The reaper's release of expired or orphaned claims. An orphan (a claim whose reply never reached the
    /// client) goes back to the queue with its attempt refunded: it was never renewed, and its process is
    /// alive and has sent a heartbeat more than half a lease after the claim (`updated_at` is the claim time)
    /// that did not list it. The half lease: a heartbeat composed before the claim's reply arrived can commit
    /// just after the claim without listing it, and a client frozen or cut off right then proves nothing.
    /// A process that died or froze before such a heartbeat uses up the attempt as any expired lease does
    /// (a bound on refunds, too).
    func reapClaims(now: Double) -> SQLStatement {
        let orphan = "(claim_renewed = 0 AND claimed_by IN (SELECT id FROM processes WHERE status = 'alive' "
            + "AND last_heartbeat > jobs.updated_at + COALESCE(jobs.lease_seconds, 0) / 2))"
        return statement("""
            UPDATE jobs SET status = CASE WHEN \(orphan) THEN 'queued' WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
              attempts = CASE WHEN \(orphan) THEN attempts - 1 ELSE attempts END,
              error = CASE WHEN \(orphan) THEN 'claim by ' || claimed_by || ' was never taken up (its reply was lost); re-queued'
                ELSE 'lease of ' || claimed_by || ' expired (attempt ' || attempts || ')' END,
              claimed_by = NULL, claim_token = NULL, lease_expires = NULL, updated_at = $1
            WHERE status = 'claimed' AND (lease_expires < $1
              OR claimed_by IN (SELECT id FROM processes WHERE status <> 'alive'))
            RETURNING id, status, run_id, worker, generation
            """, now)
    }

    // MARK: Processes

    func registerProcess(_ p: ProcessRegistration, now: Double) -> SQLStatement {
        statement("""
            INSERT INTO processes (\(Schema.processColumns)) VALUES ($1, $2, $3, $4, $5, 'alive', $6, $6, $7)
            ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, host = excluded.host, slot = excluded.slot,
              pid = excluded.pid, status = 'alive', started_at = excluded.started_at, last_heartbeat = excluded.last_heartbeat,
              threads = excluded.threads
            """, p.id, p.clientID, p.host, p.slot, p.pid, now, p.threads)
    }
    /// A process seen alive now (a claim or a heartbeat).
    func touchProcess(_ id: String, now: Double) -> SQLStatement {
        statement("UPDATE processes SET last_heartbeat = $1, status = 'alive' WHERE id = $2 RETURNING id", now, id)
    }
    /// A process's status, its row locked for the heartbeat that follows.
    func processStatus(_ id: String) -> SQLStatement {
        statement("SELECT status FROM processes WHERE id = $1\(forUpdate)", id)
    }
    func setProcessStatus(_ id: String, _ status: String) -> SQLStatement {
        statement("UPDATE processes SET status = $1 WHERE id = $2 RETURNING id", status, id)
    }
    /// Processes whose last heartbeat is older than `before` are dead.
    func markDeadProcesses(before: Double) -> SQLStatement {
        statement("UPDATE processes SET status = 'dead' WHERE status = 'alive' AND last_heartbeat < $1 RETURNING id", before)
    }
    var allProcesses: SQLStatement { statement("SELECT \(Schema.processColumns) FROM processes ORDER BY id") }

    // MARK: Events

    func insertEvent(run: Int64?, kind: EventKind, message: String, now: Double) -> SQLStatement {
        statement("INSERT INTO events (time, run_id, kind, message) VALUES ($1, $2, $3, $4) RETURNING id", now, run, kind.rawValue, message)
    }
    /// Events after `since` (of `run`, or of all runs when nil), oldest first.
    /// (Two statements rather than one with `CAST($n AS BIGINT) IS NULL OR …`: SQLite plans a statement once
    /// for every value, so only the filtered one can use the index on (run_id, id).)
    func events(since: Int64, run: Int64?, limit: Int) -> SQLStatement {
        guard let run else {
            return statement("SELECT \(Schema.eventColumns) FROM events WHERE id > $1 ORDER BY id LIMIT $2", since, limit)
        }
        return statement("SELECT \(Schema.eventColumns) FROM events WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT $3", run, since, limit)
    }
}
