import Foundation
import TestSupport
@testable import Runtime

/// A throwaway PostgreSQL server (the newest installed major version) for the runtime tests (initdb + pg_ctl in a temp dir, loopback only).
final class LocalPostgres {
    static let bin = PostgresInstall.binDirectory ?? "/nonexistent (no PostgreSQL server)"
    let dir: String
    let port: Int

    /// With `password`, TCP logins need it (scram-sha-256); without, the server trusts every login.
    /// Every wait suspends (`Task.sleep`): initdb under load takes seconds, and a blocked thread of the
    /// cooperative pool (two on a 2-core machine) starves the other tests' deadlines.
    init(password: String? = nil) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.bin + "/initdb") else {
            throw TestFailure(PostgresInstall.missingMessage)
        }
        dir = TestSupport.tempDir("pg")
        if getuid() == 0 { try await Self.sh("chown postgres: '\(dir)'", root: true) }
        var auth = "--auth=trust"
        if let password {
            let pwfile = dir + "/pwfile"
            _ = FileManager.default.createFile(atPath: pwfile, contents: Data(password.utf8), attributes: [.posixPermissions: 0o600])
            if getuid() == 0 { try await Self.sh("chown postgres: '\(pwfile)'", root: true) }
            auth = "--auth-local=trust --auth-host=scram-sha-256 --pwfile='\(pwfile)'"
        }
        try await Self.sh("\(Self.bin)/initdb -D '\(dir)/data' -U postgres \(auth) -E UTF8 >'\(dir)/initdb.log' 2>&1")
        var p = 0
        for _ in 0..<5 {
            p = Int.random(in: 21000...59000)
            if (try? await Self.sh(Self.startCommand(dir: dir, port: p))) != nil { break }
            p = 0
        }
        guard p != 0 else { throw TestFailure("PostgreSQL did not start; see \(dir)/server.log") }
        port = p
    }

    static func startCommand(dir: String, port: Int) -> String {
        "\(bin)/pg_ctl -D '\(dir)/data' -l '\(dir)/server.log' -w -t 30 -o \"-c listen_addresses=127.0.0.1 -p \(port) -k '\(dir)' -c fsync=off\" start >/dev/null"
    }

    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }
    func start() async throws { try await Self.sh(Self.startCommand(dir: dir, port: port)) }
    func stop() async throws { try await Self.sh("\(Self.bin)/pg_ctl -D '\(dir)/data' -m fast -w stop >/dev/null") }
    /// Immediate stop, blocking (for a `defer`): returns at once.
    func destroy() { _ = try? Self.shBlocking("\(Self.bin)/pg_ctl -D '\(dir)/data' -m immediate -w stop >/dev/null 2>&1") }

    /// Runs a shell command (as user postgres when running as root), waiting with `Task.sleep`. Spawned
    /// with `ChildProcess`, which passes no extra descriptors: Foundation's `Process` would wait until the
    /// daemon closes the ones it inherits.
    @discardableResult
    static func sh(_ command: String, root: Bool = false) async throws -> String {
        let (p, outPath) = try launch(command, root: root)
        let deadline = Date().addingTimeInterval(60)
        while p.exit == nil && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        return try finish(p, outPath: outPath, command: command)
    }

    /// `sh` for `destroy`, blocking the calling thread.
    @discardableResult
    static func shBlocking(_ command: String) throws -> String {
        let (p, outPath) = try launch(command, root: false)
        let deadline = Date().addingTimeInterval(60)
        while p.exit == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return try finish(p, outPath: outPath, command: command)
    }

    private static func launch(_ command: String, root: Bool) throws -> (ChildProcess, String) {
        let args = getuid() == 0 && !root
            ? ["-c", "su postgres -s /bin/sh -c \"\(command.replacingOccurrences(of: "\"", with: "\\\""))\""] : ["-c", command]
        let outPath = NSTemporaryDirectory() + "autolfads-pgcmd-\(UUID().uuidString.prefix(8)).log"
        return (try ChildProcess(executable: "/bin/sh", arguments: args, environment: ProcessInfo.processInfo.environment, logPath: outPath), outPath)
    }

    private static func finish(_ p: ChildProcess, outPath: String, command: String) throws -> String {
        defer { try? FileManager.default.removeItem(atPath: outPath) }
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard p.exit == .exited(0) else { throw TestFailure("command failed (\(p.exit.map { "\($0)" } ?? "timed out")): \(command)\n\(out)") }
        return out
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
