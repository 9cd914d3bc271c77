import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Appends TensorBoard events to one file as they happen (the file grows by whole records, as
/// TensorBoard expects of a live log; a crash can leave at most one torn last record, which
/// TensorBoard skips). The encoding is `TensorBoardEvents`; this type only does the I/O.
public final class EventFileWriter {
    /// The events file.
    public let path: String
    private let fd: Int32

    /// Creates `directory/events.out.tfevents.<time>.<host>.<pid>.<index>` and writes the version record.
    /// - Throws: `EventFileError` naming the file when it cannot be created or written.
    public init(directory: String, index: Int = 0, now: Date = Date()) throws {
        let created = now.timeIntervalSince1970
        path = (directory as NSString).appendingPathComponent(
            TensorBoardEvents.fileName(createdAt: created, host: Self.hostName(), pid: getpid(), index: index))
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw EventFileError(path: path, errno: errno) }
        try append(TensorBoardEvents.record(TensorBoardEvents.versionEvent(wallTime: created)))
    }

    deinit { close(fd) }

    /// Appends the scalars of one step.
    public func add(step: Int, scalars: [(tag: String, value: Double)], now: Date = Date()) throws {
        try append(TensorBoardEvents.record(TensorBoardEvents.scalarEvent(step: step, wallTime: now.timeIntervalSince1970, scalars: scalars)))
    }

    private func append(_ bytes: [UInt8]) throws {
        // One write per record (O_APPEND): a reader sees whole records or a torn last one, never interleaving.
        let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress!, $0.count) }
        guard n == bytes.count else { throw EventFileError(path: path, errno: n < 0 ? errno : ENOSPC) }
    }

    /// This machine's host name (`gethostname`), for event-file names.
    public static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "host" }
        return buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// A TensorBoard events file could not be written.
public struct EventFileError: Error, CustomStringConvertible {
    public let path: String
    public let errno: Int32
    public var description: String {
        "cannot write the TensorBoard events file \(path): \(String(cString: strerror(errno))); free space or fix permissions there, or turn TensorBoard logging off (--no-tensorboard, or logging: {tensorboard: false} in run.yaml)"
    }
}
