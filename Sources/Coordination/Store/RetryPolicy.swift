import Foundation

/// Bounded exponential backoff for operations that hit a lost database connection.
public struct RetryPolicy: Sendable, Equatable {
    /// Tries in all (first call included).
    public var maxAttempts: Int
    /// Delay before the first retry, seconds.
    public var initialDelay: Double
    /// Growth factor per retry.
    public var multiplier: Double
    /// Cap on one delay, seconds.
    public var maxDelay: Double
    /// Limit on one try (waiting for a connection included), seconds; nil for none.
    public var attemptTimeout: Double?
    /// No retry starts later than this many seconds after the first try.
    public var maxElapsed: Double

    public init(maxAttempts: Int = 12, initialDelay: Double = 0.05, multiplier: Double = 2, maxDelay: Double = 5,
                attemptTimeout: Double? = 15, maxElapsed: Double = 60) {
        self.maxAttempts = max(1, maxAttempts); self.initialDelay = initialDelay
        self.multiplier = multiplier; self.maxDelay = maxDelay
        self.attemptTimeout = attemptTimeout; self.maxElapsed = maxElapsed
    }

    /// Up to 12 tries of at most 15 s each, within about a minute.
    public static let `default` = RetryPolicy()
    /// No retry.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Delay before retry number `retry` (1-based).
    public func delay(beforeRetry retry: Int) -> Double {
        min(maxDelay, initialDelay * pow(multiplier, Double(retry - 1)))
    }

    /// Runs `body`, retrying while `isRetryable` says the error is transient and the budget allows;
    /// `onRetry(attempt that failed, delay, error)` is called before each retry.
    public func run<T>(isRetryable: (Error) -> Bool, onRetry: (Int, Double, Error) -> Void = { _, _, _ in },
                       _ body: () async throws -> T) async throws -> T {
        let start = Date()
        var attempt = 1
        while true {
            do { return try await body() } catch {
                let wait = delay(beforeRetry: attempt)
                guard attempt < maxAttempts, isRetryable(error), !Task.isCancelled,
                      Date().timeIntervalSince(start) + wait <= maxElapsed else { throw error }
                onRetry(attempt, wait, error)
                try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                attempt += 1
            }
        }
    }
}

/// A try that ran past `RetryPolicy.attemptTimeout`.
public struct AttemptTimedOut: Error, CustomStringConvertible {
    public var seconds: Double
    public var description: String { "no answer within \(seconds) s" }
}

/// Runs `body`, cancelling it and throwing `AttemptTimedOut` after `seconds` (no limit when nil).
func withAttemptTimeout<T: Sendable>(_ seconds: Double?, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    guard let seconds else { return try await body() }
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            throw AttemptTimedOut(seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
