import Foundation

/// Where the installed PostgreSQL server binaries are (`/usr/lib/postgresql/<major>/bin`, the newest
/// major version present), as `scripts/lib-pg.sh` finds them; nil when no server is installed.
public enum PostgresInstall {
    public static let binDirectory: String? = {
        let root = "/usr/lib/postgresql"
        let majors = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { name -> (Int, String)? in
                let major = name.split(separator: ".").first.flatMap { Int($0) }
                let bin = "\(root)/\(name)/bin"
                guard let major, FileManager.default.isExecutableFile(atPath: bin + "/initdb") else { return nil }
                return (major, bin)
            }
        return majors.max { $0.0 < $1.0 }?.1
    }()
}
