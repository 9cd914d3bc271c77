import Foundation

/// Parsed `metrics.csv` files keyed by path, reused while the file's size and modification time are
/// unchanged, so a live dashboard re-parses only the curves that grew since the last poll.
// @unchecked: every `var` below is read and written only while holding `lock` (NSLock; macOS 13 has no `Mutex`).
public final class MetricsFileCache: @unchecked Sendable {
    private struct Entry { var size: UInt64; var modified: Date; var series: MetricSeries }
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    public init() {}

    /// The cached series for `path` if its size and mtime still match, else `parse()` (then cached).
    func series(path: String, parse: () throws -> MetricSeries?) rethrows -> MetricSeries? {
        let attrs = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attrs?[.size] as? NSNumber)?.uint64Value ?? 0
        let modified = attrs?[.modificationDate] as? Date ?? .distantPast
        if let e = lock.withLock({ entries[path] }), e.size == size, e.modified == modified { return e.series }
        guard let s = try parse() else { return nil }
        lock.withLock { entries[path] = Entry(size: size, modified: modified, series: s) }
        return s
    }

    /// Number of cached files.
    public var count: Int { lock.withLock { entries.count } }
}
