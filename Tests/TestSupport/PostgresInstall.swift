import Foundation

/// Where the installed PostgreSQL server binaries (`initdb`, `pg_ctl`, `createdb`) are, found the way
/// `scripts/lib-pg.sh` (`pg_bindir`) finds them, first match wins:
/// 1. the directory of `initdb` on `PATH` (after following links);
/// 2. `pg_config --bindir`, when that directory holds `initdb`;
/// 3. `/usr/lib/postgresql/<major>/bin` with the highest major version that holds `initdb` (Debian's layout).
public enum PostgresInstall {
    /// The server binary directory on this machine; nil when no server is installed.
    public static let binDirectory: String? = find(
        path: ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        pgConfigBindir: pgConfigBindir(), libRoot: "/usr/lib/postgresql")

    /// The one line tests fail with when no server is installed.
    public static let missingMessage =
        "no PostgreSQL server found (initdb is not on PATH, not in `pg_config --bindir`, not in /usr/lib/postgresql/<version>/bin); "
        + "install it (apt-get install postgresql, or run scripts/deps --test)"

    /// The server binary directory under `path` (a `PATH` value), `pgConfigBindir` and `libRoot`, in that order;
    /// `pgConfigBindir` is evaluated (pg_config spawned) only when `PATH` has no `initdb`.
    public static func find(path: String, pgConfigBindir: @autoclosure () -> String?, libRoot: String) -> String? {
        let fm = FileManager.default
        func hasInitdb(_ dir: String) -> Bool { fm.isExecutableFile(atPath: dir + "/initdb") }
        if let dir = path.split(separator: ":").map(String.init).first(where: { !$0.isEmpty && hasInitdb($0) }) {
            // A PATH entry may hold only a link to initdb (no createdb, pg_ctl): use the folder it points into.
            return URL(fileURLWithPath: dir + "/initdb").resolvingSymlinksInPath().deletingLastPathComponent().path
        }
        if let dir = pgConfigBindir(), hasInitdb(dir) { return dir }
        let majors = ((try? fm.contentsOfDirectory(atPath: libRoot)) ?? []).compactMap { name -> (Int, Int, String)? in
            let parts = name.split(separator: ".").map { Int($0) }
            guard let major = parts.first ?? nil, hasInitdb("\(libRoot)/\(name)/bin") else { return nil }
            return (major, (parts.count > 1 ? parts[1] : nil) ?? 0, "\(libRoot)/\(name)/bin")
        }
        return majors.max { ($0.0, $0.1) < ($1.0, $1.1) }?.2
    }

    /// What `pg_config --bindir` prints (nil without `pg_config`).
    private static func pgConfigBindir() -> String? {
        guard let pgConfig = TestProcess.onPath("pg_config"),
              let p = try? TestProcess(pgConfig, ["--bindir"]) else { return nil }
        let out = p.waitBlocking(seconds: 30)
        guard out.status == 0 else { return nil }
        let dir = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return dir.isEmpty ? nil : dir
    }
}
