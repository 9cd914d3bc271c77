import Foundation
import TestSupport

/// A real PostgreSQL server (the newest installed major version) in a temporary directory, on a free loopback port (tests only).
/// Runs initdb/pg_ctl as user `postgres` (via `su`) when the tests run as root.
final class PostgresTestServer: @unchecked Sendable {
    static let bin = PostgresInstall.binDirectory ?? "/nonexistent (no PostgreSQL server)"
    let dir: URL
    private(set) var port: Int = 0
    private let lock = NSLock()
    private var databases = 0

    /// The server shared by the tests that do not stop it; stopped when the test process exits.
    static let shared: Result<PostgresTestServer, Error> = {
        Result {
            let s = try PostgresTestServer()
            sharedDirForExit = s.dir.path
            atexit { if let d = PostgresTestServer.sharedDirForExit { PostgresTestServer.stopServer(at: d) } }
            return s
        }
    }()
    nonisolated(unsafe) static var sharedDirForExit: String?

    struct Failure: Error, CustomStringConvertible { let description: String }

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: "\(Self.bin)/initdb") else {
            throw Failure(description: PostgresInstall.missingMessage)
        }
        dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("autolfads-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if getuid() == 0 { try Self.shell("chown postgres: '\(dir.path)'", asPostgres: false) }
        try Self.shell("\(Self.bin)/initdb -D '\(dir.path)/data' -U postgres --auth=trust -E UTF8 >'\(dir.path)/initdb.log' 2>&1")
        var lastError: Error?
        for _ in 0..<5 {
            let candidate = Int.random(in: 20000...60000)
            do {
                port = candidate
                try start()
                return
            } catch { lastError = error }
        }
        throw lastError!
    }

    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable" }

    /// Starts (or restarts) the server and waits until it accepts connections.
    func start() throws {
        try Self.shell("\(Self.bin)/pg_ctl -D '\(dir.path)/data' -l '\(dir.path)/server.log' -w -t 30 -o \"-c listen_addresses=127.0.0.1 -p \(port) -k '\(dir.path)' -c fsync=off -c max_connections=200\" start >/dev/null")
    }

    /// Stops the server (fast mode: open sessions are terminated).
    func stop() throws {
        try Self.shell("\(Self.bin)/pg_ctl -D '\(dir.path)/data' -m fast -w stop >/dev/null")
    }

    /// Creates a fresh database and returns its URL.
    func makeDatabase() throws -> String {
        lock.lock(); databases += 1; let name = "t\(databases)"; lock.unlock()
        try Self.shell("\(Self.bin)/createdb -h 127.0.0.1 -p \(port) -U postgres \(name)")
        return "postgres://postgres@127.0.0.1:\(port)/\(name)?sslmode=disable"
    }

    /// Stops the server and deletes its directory.
    func destroy() {
        Self.stopServer(at: dir.path)
        try? FileManager.default.removeItem(at: dir)
    }

    static func stopServer(at dir: String) {
        _ = try? shell("\(bin)/pg_ctl -D '\(dir)/data' -m immediate -w stop >/dev/null 2>&1")
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Runs a shell command, as user postgres when root; throws with its output on failure.
    /// Output goes to a file, not a pipe: the server daemon would inherit a pipe and keep it open.
    @discardableResult
    static func shell(_ command: String, asPostgres: Bool = true) throws -> String {
        let log = NSTemporaryDirectory() + "autolfads-sh-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let full = asPostgres && getuid() == 0 ? "su postgres -s /bin/sh -c \(shellQuote(command))" : command
        let status = try TestProcess("/bin/sh", ["-c", full], output: .file(log)).waitBlocking(seconds: 300).status
        let out = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw Failure(description: "`\(command)` failed (\(status)): \(out)")
        }
        return out
    }

    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
