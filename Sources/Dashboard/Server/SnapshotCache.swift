import Foundation

/// Reuses a snapshot for `maxAge` seconds so several requests of one page refresh read the run once.
public actor SnapshotCache {
    let source: any RunSnapshotSource
    let maxAge: Double
    var cached: (at: Date, value: RunSnapshot)?

    public init(source: any RunSnapshotSource, maxAge: Double = 1) {
        self.source = source; self.maxAge = maxAge
    }

    /// A snapshot at most `maxAge` seconds old.
    public func snapshot(now: Date = Date()) async throws -> RunSnapshot {
        if let c = cached, now.timeIntervalSince(c.at) < maxAge, now >= c.at { return c.value }
        let v = try await source.snapshot(now: now)
        cached = (now, v)
        return v
    }
}
