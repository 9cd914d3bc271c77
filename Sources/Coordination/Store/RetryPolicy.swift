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

    public init(maxAttempts: Int = 12, initialDelay: Double = 0.05, multiplier: Double = 2, maxDelay: Double = 5) {
        self.maxAttempts = max(1, maxAttempts); self.initialDelay = initialDelay
        self.multiplier = multiplier; self.maxDelay = maxDelay
    }

    /// About 30 s of retries in all.
    public static let `default` = RetryPolicy()
    /// No retry.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Delay before retry number `retry` (1-based).
    public func delay(beforeRetry retry: Int) -> Double {
        min(maxDelay, initialDelay * pow(multiplier, Double(retry - 1)))
    }

    /// Runs `body`, retrying while `isRetryable` says the error is transient.
    public func run<T>(isRetryable: (Error) -> Bool, _ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do { return try await body() } catch {
                guard attempt < maxAttempts, isRetryable(error), !Task.isCancelled else { throw error }
                try await Task.sleep(nanoseconds: UInt64(delay(beforeRetry: attempt) * 1e9))
                attempt += 1
            }
        }
    }
}
