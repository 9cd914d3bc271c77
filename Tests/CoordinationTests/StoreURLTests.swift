import Foundation
import Testing
@testable import Coordination

@Suite struct StoreURLTests {
    @Test func parsesBothSchemes() throws {
        #expect(try StoreLocation.parse("sqlite:///data/run.db", environment: [:]) == .sqlite(path: "/data/run.db"))
        #expect(try StoreLocation.parse("sqlite:run.db", environment: [:]) == .sqlite(path: "run.db"))
        let pg = try StoreLocation.parse("postgres://alice@db.lab:6543/pbt?sslmode=require", environment: ["PGPASSWORD": "pw1"])
        guard case .postgres(let s) = pg else { Issue.record("not postgres"); return }
        #expect(s.user == "alice" && s.host == "db.lab" && s.port == 6543 && s.database == "pbt" && s.tls == .require)
        #expect(s.password == "pw1")
        #expect(s.description == "postgres://alice:***@db.lab:6543/pbt")
        let env2 = try StoreLocation.parse("postgres://a@h/d", environment: ["AUTOLFADS_DB_PASSWORD": "x", "PGPASSWORD": "y"])
        #expect(env2 == .postgres(PostgresSettings(host: "h", user: "a", database: "d", password: "x")))
    }

    @Test func passwordFromFile() throws {
        let f = TempDir.make().appendingPathComponent("pw")
        try "from-file\n".write(to: f, atomically: true, encoding: .utf8)
        guard case .postgres(let s) = try StoreLocation.parse("postgres://a@h/d", environment: ["AUTOLFADS_DB_PASSWORD_FILE": f.path]) else {
            Issue.record("not postgres"); return
        }
        #expect(s.password == "from-file")
    }

    @Test func badURLsGiveClearErrorsAndNeverEchoPasswords() {
        for bad in ["mysql://x", "postgres://h/db", "postgres://u@h", "postgres://u@h/d?sslmode=maybe", "sqlite:", "postgres://u@h/d?x=1"] {
            #expect(throws: StoreError.self) { try StoreLocation.parse(bad, environment: [:]) }
        }
        do {
            _ = try StoreLocation.parse("postgres://u:hunter2@h/d", environment: [:])
            Issue.record("password in URL accepted")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
            #expect("\(error)".contains("AUTOLFADS_DB_PASSWORD"))
        }
        #expect(StoreLocation.redact("postgres://u:hunter2@h/d") == "postgres://u:***@h/d")
    }

    @Test func sqliteInMissingDirectoryIsAClearError() async {
        do {
            let s = try await openCoordinationStore("sqlite:///nonexistent-dir-\(getpid())/run.db", environment: [:])
            await s.close()
            Issue.record("opened a store in a missing directory")
        } catch {
            #expect("\(error)".contains("does not exist") && "\(error)".contains("nonexistent-dir"))
        }
    }

    @Test func damagedSQLiteStoreSaysWhatToDo() async throws {
        let dir = NSTemporaryDirectory() + "autolfads-damaged-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "not a database, just text that is long enough to have a header".write(toFile: dir + "/run.db", atomically: true, encoding: .utf8)
        do {
            let s = try await openCoordinationStore("sqlite://\(dir)/run.db", environment: [:])
            await s.close()
            Issue.record("opened a damaged store")
        } catch {
            #expect("\(error)".contains("is damaged") && "\(error)".contains("move it away") && "\(error)".contains("run.db"), "\(error)")
        }
        #expect(try String(contentsOfFile: dir + "/run.db", encoding: .utf8).hasPrefix("not a database"), "the file is left as it was")
    }

    @Test func retryBackoffIsBoundedAndExponential() async throws {
        // No elapsed-time budget: a loaded machine must not change the count of tries.
        let p = RetryPolicy(maxAttempts: 5, initialDelay: 0.001, multiplier: 2, maxDelay: 0.004, maxElapsed: 1e9)
        #expect((1...4).map { p.delay(beforeRetry: $0) } == [0.001, 0.002, 0.004, 0.004])
        struct Transient: Error {}
        var calls = 0
        var retries: [[Double]] = []
        await #expect(throws: Transient.self) {
            try await p.run(isRetryable: { $0 is Transient }, onRetry: { attempt, wait, _ in retries.append([Double(attempt), wait]) }) {
                calls += 1; throw Transient()
            }
        }
        #expect(calls == 5)
        #expect(retries == [[1, 0.001], [2, 0.002], [3, 0.004], [4, 0.004]], "each retry is announced with its delay")
        calls = 0
        let v = try await p.run(isRetryable: { _ in true }) { () async throws -> Int in
            calls += 1
            if calls < 3 { throw Transient() }
            return 7
        }
        #expect(v == 7 && calls == 3)
    }
}
