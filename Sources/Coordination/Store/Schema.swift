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

    /// Column lists of the SELECTs (`Statements`).
    static let runColumns = "id, name, config, status, generation, created_at, updated_at"
    static let workerColumns = "run_id, worker, status, hps, checkpoint, generation, last_score, parent, updated_at"
    static let jobColumns = "id, run_id, worker, generation, status, attempts, max_attempts, claimed_by, lease_expires, payload, result, error, created_at, updated_at, claim_token"
    static let processColumns = "id, client_id, host, slot, pid, status, started_at, last_heartbeat, threads"
    static let eventColumns = "id, time, run_id, kind, message"
}
