import Foundation
import Testing
import TestSupport

/// The PostgreSQL server lookup (`PostgresInstall.find`) on fake install trees: PATH first, then
/// `pg_config --bindir`, then the highest `/usr/lib/postgresql/<version>/bin`; nil when none holds initdb.
@Suite struct PostgresInstallTests {
    /// A fresh empty folder for one fake installation tree.
    static func tempDir() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pginstall-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A directory `dir/rel` holding an executable `initdb` (or a non-executable one).
    private func server(_ root: String, _ rel: String, executable: Bool = true) throws -> String {
        let dir = root + "/" + rel
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir + "/initdb", contents: Data("#!/bin/sh\n".utf8),
                                       attributes: [.posixPermissions: executable ? 0o755 : 0o644])
        return dir
    }

    @Test func highestVersionUnderLibRoot() throws {
        let root = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try server(root, "lib/9.6/bin")
        _ = try server(root, "lib/15/bin")
        let v16 = try server(root, "lib/16/bin")
        _ = try server(root, "lib/17/bin", executable: false)   // not a usable server
        try FileManager.default.createDirectory(atPath: root + "/lib/18", withIntermediateDirectories: true) // no bin
        #expect(PostgresInstall.find(path: "/nonexistent", pgConfigBindir: nil, libRoot: root + "/lib") == v16)
    }

    @Test func pathThenPgConfigThenLibRoot() throws {
        let root = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lib = try server(root, "lib/16/bin")
        let config = try server(root, "config/bin")
        let onPath = try server(root, "path/bin")
        let libRoot = root + "/lib"
        #expect(PostgresInstall.find(path: "/nonexistent:\(onPath)", pgConfigBindir: config, libRoot: libRoot) == onPath)
        #expect(PostgresInstall.find(path: "/nonexistent", pgConfigBindir: config, libRoot: libRoot) == config)
        // pg_config of a client-only install (no initdb there) does not count.
        #expect(PostgresInstall.find(path: "/nonexistent", pgConfigBindir: root + "/none", libRoot: libRoot) == lib)
    }

    @Test func noServerIsNilAndTheMessageNamesTheFix() throws {
        let root = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(PostgresInstall.find(path: root, pgConfigBindir: root, libRoot: root + "/missing") == nil)
        #expect(PostgresInstall.missingMessage.contains("apt-get install postgresql"))
    }

    /// This machine's lookup agrees with scripts/lib-pg.sh's `pg_bindir` (one rule, two languages).
    @Test func agreesWithTheShellLookup() async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/lib-pg.sh").path
        let out = try await TestProcess.run("/bin/bash", ["-c", ". '\(script)' && pg_bindir"])
        let shell = out.status == 0 ? out.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
        #expect(shell == PostgresInstall.binDirectory, "\(out)")
    }
}
