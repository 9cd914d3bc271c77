import Foundation

/// Connection settings for PostgreSQL. `description` never shows the password.
public struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable { case disable, prefer, require }
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?
    public var tls: TLSMode
    /// Directory holding the server's Unix socket (`?host=/dir`); TCP when nil.
    public var socketDirectory: String?
    /// Seconds after which the server ends a session of ours that sits inside an open transaction
    /// (PostgreSQL's `idle_in_transaction_session_timeout`); nil leaves the server's setting. A client
    /// cut off or frozen mid-transaction would otherwise hold its row locks until TCP gives up on it
    /// (hours), and every other client's update of those rows would wait that long. Our transactions
    /// take milliseconds; an ended session is a lost connection, which the retry policy handles.
    public var idleTransactionTimeout: Double? = 10

    public init(host: String, port: Int = 5432, user: String, database: String, password: String? = nil,
                tls: TLSMode = .prefer, socketDirectory: String? = nil) {
        self.host = host; self.port = port; self.user = user; self.database = database
        self.password = password; self.tls = tls; self.socketDirectory = socketDirectory
    }

    public var description: String {
        let pw = password == nil ? "" : ":***"
        let where_ = socketDirectory.map { "?host=\($0)" } ?? ""
        return "postgres://\(user)\(pw)@\(host):\(port)/\(database)\(where_)"
    }
}

/// A parsed store URL.
public enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    /// Parses `sqlite:///abs/path.db`, `sqlite:relative.db` or
    /// `postgres://user@host[:port]/db[?sslmode=disable|prefer|require&host=/socket/dir]`.
    /// A password inside the URL is refused (it would leak into shell history and logs).
    public static func parse(_ url: String, environment: [String: String]) throws -> StoreLocation {
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw StoreError.badURL("'sqlite:' needs a file path, e.g. sqlite:///data/run.db") }
            return .sqlite(path: path)
        }
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw StoreError.badURL("'\(redact(url))' is neither sqlite:///path nor postgres://user@host:port/db")
        }
        guard let comps = URLComponents(string: url), let host = comps.host ?? Optional("") else {
            throw StoreError.badURL("cannot parse '\(redact(url))'; expected postgres://user@host:port/db")
        }
        if comps.password != nil {
            throw StoreError.badURL("'\(redact(url))' contains a password; remove it and set AUTOLFADS_DB_PASSWORD (or PGPASSWORD) instead")
        }
        guard let user = comps.user, !user.isEmpty else {
            throw StoreError.badURL("'\(redact(url))' names no user; use postgres://user@host:port/db")
        }
        let db = String(comps.path.drop(while: { $0 == "/" }))
        guard !db.isEmpty else { throw StoreError.badURL("'\(redact(url))' names no database; use postgres://user@host:port/db") }
        var settings = PostgresSettings(host: host.isEmpty ? "localhost" : host, port: comps.port ?? 5432,
                                        user: user, database: db)
        for item in comps.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = PostgresSettings.TLSMode(rawValue: item.value ?? "") else {
                    throw StoreError.badURL("sslmode must be disable, prefer or require, not '\(item.value ?? "")'")
                }
                settings.tls = mode
            case "host":
                settings.socketDirectory = item.value
            default:
                throw StoreError.badURL("unknown option '\(item.name)'; supported: sslmode, host")
            }
        }
        settings.password = try password(environment: environment)
        return .postgres(settings)
    }

    /// The password from `AUTOLFADS_DB_PASSWORD`, `PGPASSWORD` or the file `AUTOLFADS_DB_PASSWORD_FILE`.
    static func password(environment: [String: String]) throws -> String? {
        if let p = environment["AUTOLFADS_DB_PASSWORD"], !p.isEmpty { return p }
        if let p = environment["PGPASSWORD"], !p.isEmpty { return p }
        if let file = environment["AUTOLFADS_DB_PASSWORD_FILE"], !file.isEmpty {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw StoreError.badURL("cannot read AUTOLFADS_DB_PASSWORD_FILE '\(file)'; check it exists and is readable")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }

    /// The URL with any `user:password@` password replaced by `***`.
    public static func redact(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let userinfo = url[scheme.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}
