import Foundation

/// Fault injection for the claim protocol's tests: code run after a claim has committed and before
/// its answer is returned, standing for a reply lost on the way (`LostReply`, which the PostgreSQL store
/// retries like a dropped connection) or a slow one (a delay past the caller's deadline).
/// Nothing is set in normal use, and then it costs one lock.
// @unchecked: every `var` below is read and written only while holding `lock` (NSLock; macOS 13 has no `Mutex`).
public final class StoreFaults: @unchecked Sendable {
    /// A reply lost after COMMIT.
    public struct LostReply: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "injected fault: the claim's reply was lost after it committed" }
    }

    private let lock = NSLock()
    private var hook: (@Sendable () async throws -> Void)?

    public init() {}

    /// Sets (or clears, with nil) what runs between a claim's commit and its reply.
    public func setAfterClaimCommit(_ body: (@Sendable () async throws -> Void)?) {
        lock.withLock { hook = body }
    }

    func afterClaimCommitted() async throws {
        let h = lock.withLock { hook }
        try await h?()
    }
}
