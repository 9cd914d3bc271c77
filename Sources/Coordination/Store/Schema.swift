/// The store's schema as numbered migrations, one logical schema written for both SQL dialects.
/// Times are seconds since 1970 (floating point); JSON is stored as text, verbatim.
enum Schema {
    enum Dialect { case sqlite, postgres }

    /// The highest migration this program knows.
    static var latestVersion: Int { migrations(.sqlite).count }

    /// Migrations in order; migration `i` (1-based) is `migrations(d)[i-1]`, a list of statements.
    static func migrations(_ d: Dialect) -> [[String]] {
        let pk = d == .sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY"
        let int = d == .sqlite ? "INTEGER" : "BIGINT"
        let real = d == .sqlite ? "REAL" : "DOUBLE PRECISION"
        func check(_ column: String, _ values: [String]) -> String {
            "CHECK (\(column) IN (\(values.map { "'\($0)'" }.joined(separator: ","))))"
        }
        let v1 = [
            """
            CREATE TABLE runs (
              id \(pk), name TEXT NOT NULL UNIQUE, config TEXT NOT NULL,
              status TEXT NOT NULL \(check("status", RunStatus.allCases.map(\.rawValue))),
              generation \(int) NOT NULL DEFAULT 0, created_at \(real) NOT NULL, updated_at \(real) NOT NULL)
            """,
            """
            CREATE TABLE workers (
              run_id \(int) NOT NULL REFERENCES runs(id), worker \(int) NOT NULL,
              status TEXT NOT NULL \(check("status", WorkerStatus.allCases.map(\.rawValue))),
              hps TEXT NOT NULL, checkpoint TEXT, generation \(int) NOT NULL, last_score \(real),
              parent \(int), updated_at \(real) NOT NULL, PRIMARY KEY (run_id, worker))
            """,
            """
            CREATE TABLE processes (
              id TEXT PRIMARY KEY, client_id TEXT NOT NULL, host TEXT NOT NULL, slot \(int) NOT NULL,
              pid \(int) NOT NULL, status TEXT NOT NULL \(check("status", ProcessStatus.allCases.map(\.rawValue))),
              started_at \(real) NOT NULL, last_heartbeat \(real) NOT NULL)
            """,
            """
            CREATE TABLE jobs (
              id \(pk), run_id \(int) NOT NULL, worker \(int) NOT NULL, generation \(int) NOT NULL,
              status TEXT NOT NULL \(check("status", JobStatus.allCases.map(\.rawValue))),
              attempts \(int) NOT NULL DEFAULT 0, max_attempts \(int) NOT NULL,
              claimed_by TEXT REFERENCES processes(id), lease_seconds \(real), lease_expires \(real),
              payload TEXT NOT NULL, result TEXT, error TEXT,
              created_at \(real) NOT NULL, updated_at \(real) NOT NULL,
              UNIQUE (run_id, worker, generation),
              FOREIGN KEY (run_id, worker) REFERENCES workers(run_id, worker))
            """,
            """
            CREATE TABLE events (
              id \(pk), time \(real) NOT NULL, run_id \(int), kind TEXT NOT NULL, message TEXT NOT NULL)
            """,
        ]
        let v2 = [
            "CREATE INDEX jobs_queue ON jobs (status, id)",
            "CREATE INDEX jobs_claimed_by ON jobs (claimed_by)",
            "CREATE INDEX events_run ON events (run_id, id)",
        ]
        // Claim tokens: which claim a retried claimJob refers to, and whether a heartbeat ever renewed it.
        let v3 = [
            "ALTER TABLE jobs ADD COLUMN claim_token TEXT",
            "ALTER TABLE jobs ADD COLUMN claim_renewed \(int) NOT NULL DEFAULT 0",
            "CREATE INDEX jobs_claim_token ON jobs (claimed_by, claim_token)",
        ]
        // Training threads per worker of each client slot (0 = not reported), for `autolfads status`.
        let v4 = ["ALTER TABLE processes ADD COLUMN threads \(int) NOT NULL DEFAULT 0"]
        // The final step is a job with a negative generation (`JobRecord.isFinalStep`): older binaries would claim
        // and fail it, so the version moves on (they refuse a newer store); the index serves its lookups.
        let v5 = ["CREATE INDEX jobs_run_generation ON jobs (run_id, generation)"]
        return [v1, v2, v3, v4, v5]
    }

    /// Column lists shared by both backends' SELECTs.
    static let runColumns = "id, name, config, status, generation, created_at, updated_at"
    static let workerColumns = "run_id, worker, status, hps, checkpoint, generation, last_score, parent, updated_at"
    static let jobColumns = "id, run_id, worker, generation, status, attempts, max_attempts, claimed_by, lease_expires, payload, result, error, created_at, updated_at, claim_token"
    /// The reaper's release of expired or orphaned claims (both dialects), with two `?`/`$n` slots:
    /// `updated_at`, then the `now` leases are compared with. An orphan (a claim whose reply never
    /// reached the client) goes back to the queue with its attempt refunded: it was never renewed, and
    /// its process is alive and has sent a heartbeat since the claim (`updated_at` is the claim time)
    /// that did not list it. A process that died or froze before its next heartbeat proves nothing,
    /// so its claim uses up the attempt as any expired lease does (a bound on refunds, too).
    static func reapUpdate(_ p1: String, _ p2: String) -> String {
        let orphan = "(claim_renewed = 0 AND claimed_by IN (SELECT id FROM processes WHERE status = 'alive' AND last_heartbeat > jobs.updated_at))"
        return """
            UPDATE jobs SET status = CASE WHEN \(orphan) THEN 'queued' WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
              attempts = CASE WHEN \(orphan) THEN attempts - 1 ELSE attempts END,
              error = CASE WHEN \(orphan) THEN 'claim by ' || claimed_by || ' was never taken up (its reply was lost); re-queued'
                ELSE 'lease of ' || claimed_by || ' expired (attempt ' || attempts || ')' END,
              claimed_by = NULL, claim_token = NULL, lease_expires = NULL, updated_at = \(p1)
            WHERE status = 'claimed' AND (lease_expires < \(p2)
              OR claimed_by IN (SELECT id FROM processes WHERE status <> 'alive'))
            RETURNING id, status, run_id, worker, generation
            """
    }

    static let processColumns = "id, client_id, host, slot, pid, status, started_at, last_heartbeat, threads"

    /// Statements both backends run as they are, with their parameters as `?` (SQLite) or `$1, $2, …`
    /// (PostgreSQL); each lists its parameters in order.
    struct Statements: Sendable {
        let placeholder: @Sendable (Int) -> String
        static let sqlite = Statements { _ in "?" }
        static let postgres = Statements { "$\($0)" }
        private func p(_ n: Int) -> String { placeholder(n) }

        /// id, client_id, host, slot, pid, started_at, last_heartbeat, threads.
        var registerProcess: String {
            """
            INSERT INTO processes (\(Schema.processColumns)) VALUES (\(p(1)), \(p(2)), \(p(3)), \(p(4)), \(p(5)), 'alive', \(p(6)), \(p(7)), \(p(8)))
            ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, host = excluded.host, slot = excluded.slot,
              pid = excluded.pid, status = 'alive', started_at = excluded.started_at, last_heartbeat = excluded.last_heartbeat,
              threads = excluded.threads
            """
        }

        /// Renews one held claim's lease: now, job id, process, attempt, token.
        var renewClaim: String {
            """
            UPDATE jobs SET lease_expires = \(p(1)) + lease_seconds, claim_renewed = 1
            WHERE id = \(p(2)) AND claimed_by = \(p(3)) AND status = 'claimed' AND attempts = \(p(4)) AND COALESCE(claim_token, '') = \(p(5))
            RETURNING id
            """
        }

        /// A failed attempt (queued again, or failed for good after the last): error, now, job id, process, attempt.
        var failJob: String {
            """
            UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
              claimed_by = CASE WHEN attempts >= max_attempts THEN claimed_by ELSE NULL END,
              lease_expires = NULL, error = \(p(1)), updated_at = \(p(2))
            WHERE id = \(p(3)) AND status = 'claimed' AND claimed_by = \(p(4)) AND attempts = \(p(5))
            RETURNING status, run_id, worker, generation
            """
        }

        /// A claim given back with its attempt refunded: error, now, job id, process, attempt.
        var releaseJob: String {
            """
            UPDATE jobs SET status = 'queued', attempts = attempts - 1, claimed_by = NULL, lease_expires = NULL,
              error = \(p(1)), updated_at = \(p(2))
            WHERE id = \(p(3)) AND status = 'claimed' AND claimed_by = \(p(4)) AND attempts = \(p(5))
            RETURNING run_id, worker
            """
        }
    }
    static let eventColumns = "id, time, run_id, kind, message"
}
