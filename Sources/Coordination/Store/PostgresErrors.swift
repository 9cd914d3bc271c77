import Foundation
import PostgresNIO

/// Classifies PostgreSQL errors: which are a lost/unavailable connection worth retrying.
enum PostgresErrors {
    /// SQLSTATE prefixes that mean "try again": connection exceptions (08), server shutting down or
    /// starting (57P01-57P03), too many connections (53300), serialization failure and deadlock (40001, 40P01),
    /// and our session ended by the server's idle limits (25P03 in a transaction, 57P05 outside one; the
    /// transaction was rolled back, so it is redone whole).
    static let retryableStates = ["08", "57P01", "57P02", "57P03", "53300", "40001", "40P01", "25P03", "57P05"]

    /// The error inside a transaction wrapper: the closure's own error first (e.g. a `StoreError`).
    static func unwrap(_ error: Error) -> Error {
        if let t = error as? PostgresTransactionError {
            return t.closureError ?? t.commitError ?? t.beginError ?? t.rollbackError ?? error
        }
        return error
    }

    /// SQLSTATE 53100 (disk_full): the server's disk has no room for the write.
    static func isDiskFull(_ error: Error) -> Bool {
        guard let e = error as? PSQLError, e.code == .server else { return false }
        return e.serverInfo?[.sqlState] == "53100"
    }

    static func isRetryable(_ error: Error) -> Bool {
        if error is AttemptTimedOut || error is StoreFaults.LostReply { return true }
        if let e = error as? PSQLError {
            switch e.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
                return true
            case .server:
                let state = e.serverInfo?[.sqlState] ?? ""
                return retryableStates.contains { state.hasPrefix($0) }
            default:
                return false
            }
        }
        if error is ChannelError || error is IOError { return true }
        // The pool's circuit breaker (server unreachable for a while) is not a public type.
        return String(describing: error).contains("CircuitBreaker")
    }

    /// One line for the user, without secrets (PSQLError's description hides the query's bind values).
    static func describe(_ error: Error) -> String {
        if let e = error as? PSQLError {
            if let msg = e.serverInfo?[.message] {
                return "\(msg) (SQLSTATE \(e.serverInfo?[.sqlState] ?? "?"))"
            }
            return "\(e.code)" + (e.underlying.map { ": \($0)" } ?? "")
        }
        return "\(error)"
    }

    static func sqlState(_ error: Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
