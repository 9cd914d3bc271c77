import Foundation

/// Something that can produce the current `RunSnapshot` (store + storage live, a run directory, a fixture).
public protocol RunSnapshotSource: Sendable {
    /// Reads the run's current state. Throws a one-line error when the run cannot be read.
    func snapshot(now: Date) async throws -> RunSnapshot
}

/// A fixed snapshot (tests, demos), optionally replaced later with `update`.
// @unchecked: every `var` below is read and written only while holding `lock` (NSLock; macOS 13 has no `Mutex`).
public final class StaticSnapshotSource: RunSnapshotSource, @unchecked Sendable {
    private let lock = NSLock()
    private var value: RunSnapshot

    public init(_ snapshot: RunSnapshot) { value = snapshot }

    /// Replaces the snapshot the next poll will see.
    public func update(_ snapshot: RunSnapshot) { lock.withLock { value = snapshot } }

    public func snapshot(now: Date) async throws -> RunSnapshot {
        lock.withLock { value }
    }
}

/// Errors the dashboard and report raise: one line naming the thing and the fix.
public struct DashboardError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
