import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Crash-safe file writes: data goes to a temporary file in the destination's directory, is fsynced,
/// then renamed over the destination (and the directory fsynced), so readers see the old file or the new
/// one, never a partial one. Temporaries are named `.<name>.tmp-<random>` and ignored by readers.
public enum AtomicFile {
    /// Marker in temporary file names.
    public static let temporaryMarker = ".tmp-"

    /// Whether `name` is one of this module's temporary files (left behind by a crash).
    public static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix(".") && name.contains(temporaryMarker)
    }

    /// Atomically replaces `url` with `data`, creating parent directories.
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        try createDirectory(dir)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent)\(temporaryMarker)\(UInt64.random(in: 0...UInt64.max))")
        do {
            try writeAndSync(data, to: tmp.path, flags: O_WRONLY | O_CREAT | O_EXCL)
            guard rename(tmp.path, url.path) == 0 else { throw posixError("rename to", url.path) }
            syncDirectory(dir.path)
        } catch {
            unlink(tmp.path)
            if case StorageError.diskFull = error { throw StorageError.diskFull("write '\(url.path)'") }   // name the file, not its temporary
            throw error
        }
    }

    /// Creates `url` with `data` only if it does not exist yet (atomic: temp file + `link`); returns
    /// false when another writer created it first.
    @discardableResult
    public static func createExclusive(_ data: Data, at url: URL) throws -> Bool {
        let dir = url.deletingLastPathComponent()
        try createDirectory(dir)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent)\(temporaryMarker)\(UInt64.random(in: 0...UInt64.max))")
        defer { unlink(tmp.path) }
        try writeAndSync(data, to: tmp.path, flags: O_WRONLY | O_CREAT | O_EXCL)
        if link(tmp.path, url.path) == 0 { syncDirectory(dir.path); return true }
        if errno == EEXIST { return false }
        throw posixError("link to", url.path)
    }

    /// Appends `data` with one `write` call on an `O_APPEND` descriptor, then fsyncs.
    public static func append(_ data: Data, to url: URL) throws {
        try createDirectory(url.deletingLastPathComponent())
        try writeAndSync(data, to: url.path, flags: O_WRONLY | O_CREAT | O_APPEND)
    }

    /// Removes temporaries left in `dir` by interrupted writes; returns how many.
    @discardableResult
    public static func removeTemporaries(in dir: URL) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        var n = 0
        for name in names where isTemporary(name) {
            if unlink(dir.appendingPathComponent(name).path) == 0 { n += 1 }
        }
        return n
    }

    static func createDirectory(_ dir: URL) throws {
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw StorageError.io("cannot create directory '\(dir.path)': \(error.localizedDescription)")
        }
    }

    static func writeAndSync(_ data: Data, to path: String, flags: Int32) throws {
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw posixError("open", path) }
        defer { close(fd) }
        try data.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw posixError("write", path)
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw posixError("fsync", path) }
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }

    static func posixError(_ what: String, _ path: String) -> StorageError {
        if errno == ENOSPC || errno == EDQUOT { return .diskFull("\(what) '\(path)'") }
        return StorageError.io("\(what) '\(path)' failed: \(String(cString: strerror(errno)))")
    }
}

/// Shared-storage errors; one line naming the file and what to do.
public enum StorageError: Error, CustomStringConvertible, Equatable {
    case io(String)
    case notFound(String)
    case corrupted(path: String, reason: String)
    case invalidName(String)
    /// No space (or quota) left: not transient, so the caller stops with the fix.
    case diskFull(String)

    public var description: String {
        switch self {
        case .io(let m): return m
        case .notFound(let p): return "'\(p)' does not exist"
        case .corrupted(let p, let r): return "checkpoint '\(p)' is corrupted (\(r)); it will not be used — rerun the generation that wrote it or restore the file"
        case .invalidName(let m): return m
        case .diskFull(let m): return "\(m) failed: no space left on device; free space there and run the same command again (the run resumes where it stopped)"
        }
    }
}
