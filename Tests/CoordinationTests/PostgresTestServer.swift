import Foundation
import TestSupport

/// A real PostgreSQL server (the newest installed major version) in a temporary directory, on a free loopback port (tests only).
/// Runs initdb/pg_ctl as user `postgres` (via `su`) when the tests run as root.
final class PostgresTestServer: @unchecked Sendable {
    static let bin = PostgresInstall.binDirectory ?? "/nonexistent (no PostgreSQL server)"
    let dir: URL
    let port: Int
    private let lock = NSLock()
    private var databases = 0

    /// The server shared by the tests that do not stop it; stopped when the test process exits. A task, so
    /// that the tests waiting for it while initdb runs suspend instead of holding the cooperative pool's
    /// threads (two on a 2-core machine: a blocked pool starves every other test's deadlines).
    static let shared = Task<PostgresTestServer, Error> {
        let s = try await PostgresTestServer.make()
        sharedDirForExit = s.dir.path
        atexit { if let d = PostgresTestServer.sharedDirForExit { PostgresTestServer.stopServer(at: d) } }
        return s
    }
    nonisolated(unsafe) static var sharedDirForExit: String?

    struct Failure: Error, CustomStringConvertible { let description: String }

    private init(dir: URL, port: Int) { self.dir = dir; self.port = port }

    /// initdb in a fresh temporary directory, then a server on a random free loopback port.
    static func make() async throws -> PostgresTestServer {
        guard FileManager.default.isExecutableFile(atPath: "\(bin)/initdb") else {
            throw Failure(description: PostgresInstall.missingMessage)
        }
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("autolfads-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if getuid() == 0 { try await shell("chown postgres: '\(dir.path)'", asPostgres: false) }
        try await shell("\(bin)/initdb -D '\(dir.path)/data' -U postgres --auth=trust -E UTF8 >'\(dir.path)/initdb.log' 2>&1")
        var lastError: Error?
        for _ in 0..<5 {
            let server = PostgresTestServer(dir: dir, port: Int.random(in: 20000...60000))
            do {
                try await server.start()
                return server
            } catch { lastError = error }
        }
        throw lastError!
    }

    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable" }

    /// Starts (or restarts) the server and waits until it accepts connections.
    func start() async throws {
        try await Self.shell("\(Self.bin)/pg_ctl -D '\(dir.path)/data' -l '\(dir.path)/server.log' -w -t 30 -o \"-c listen_addresses=127.0.0.1 -p \(port) -k '\(dir.path)' -c fsync=off -c max_connections=200\" start >/dev/null")
    }

    /// Stops the server (fast mode: open sessions are terminated).
    func stop() async throws {
        try await Self.shell("\(Self.bin)/pg_ctl -D '\(dir.path)/data' -m fast -w stop >/dev/null")
    }

    /// Creates a fresh database and returns its URL.
    func makeDatabase() async throws -> String {
        let name = lock.withLock { databases += 1; return "t\(databases)" }
        try await Self.shell("\(Self.bin)/createdb -h 127.0.0.1 -p \(port) -U postgres \(name)")
        return "postgres://postgres@127.0.0.1:\(port)/\(name)?sslmode=disable"
    }

    /// Stops the server and deletes its directory.
    func destroy() {
        Self.stopServer(at: dir.path)
        try? FileManager.default.removeItem(at: dir)
    }

    static func stopServer(at dir: String) {
        _ = try? shellBlocking("\(bin)/pg_ctl -D '\(dir)/data' -m immediate -w stop >/dev/null 2>&1")
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Runs a shell command, as user postgres when root; throws with its output on failure. Waits with
    /// `Task.sleep` (no thread of the cooperative pool held). Output goes to a file, not a pipe: the server
    /// daemon would inherit a pipe and keep it open.
    @discardableResult
    static func shell(_ command: String, asPostgres: Bool = true) async throws -> String {
        let (p, log, full) = try launch(command, asPostgres: asPostgres)
        return try finish(await p.wait(seconds: 300).status, log: log, command: full)
    }

    /// `shell` for the exit handler and `destroy` (a `defer`), which cannot suspend: an immediate stop.
    @discardableResult
    static func shellBlocking(_ command: String, asPostgres: Bool = true) throws -> String {
        let (p, log, full) = try launch(command, asPostgres: asPostgres)
        return try finish(p.waitBlocking(seconds: 300).status, log: log, command: full)
    }

    private static func launch(_ command: String, asPostgres: Bool) throws -> (TestProcess, String, String) {
        let log = NSTemporaryDirectory() + "autolfads-sh-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).log"
        let full = asPostgres && getuid() == 0 ? "su postgres -s /bin/sh -c \(shellQuote(command))" : command
        return (try TestProcess("/bin/sh", ["-c", full], output: .file(log)), log, command)
    }

    private static func finish(_ status: Int32, log: String, command: String) throws -> String {
        defer { try? FileManager.default.removeItem(atPath: log) }
        let out = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard status == 0 else { throw Failure(description: "`\(command)` failed (\(status)): \(out)") }
        return out
    }

    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
