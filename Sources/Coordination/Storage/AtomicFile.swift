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

    /// Appends `data` (whole lines) on an `O_APPEND` descriptor, then fsyncs. A torn last line left by a
    /// crash or a full disk is cut off first, and a write that fails is cut back, so the file only ever
    /// holds whole lines. Appenders take an exclusive `flock`, so one never cuts another's line.
    public static func append(_ data: Data, to url: URL) throws {
        try createDirectory(url.deletingLastPathComponent())
        let fd = open(url.path, O_RDWR | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw posixError("open", url.path) }
        defer { close(fd) }   // also releases the lock
        while flock(fd, LOCK_EX) != 0 { if errno != EINTR { throw posixError("lock", url.path) } }
        let keep = wholeLinesLength(fd)
        if keep < lseek(fd, 0, SEEK_END) { _ = ftruncate(fd, keep) }
        do { try writeAll(data, fd: fd, path: url.path) } catch {
            let saved = errno
            _ = ftruncate(fd, keep)
            errno = saved
            throw error
        }
        guard fsync(fd) == 0 else { throw posixError("fsync", url.path) }
    }

    /// The length of `fd`'s content up to and including its last newline (all of it when it ends with
    /// one, is empty, or has no newline in its last 64 KiB).
    static func wholeLinesLength(_ fd: Int32) -> off_t {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return 0 }
        let n = Int(min(size, 65_536))
        var tail = [UInt8](repeating: 0, count: n)
        guard pread(fd, &tail, n, size - off_t(n)) == n, tail.last != 10 else { return size }
        guard let lastNewline = tail.lastIndex(of: 10) else { return size }
        return size - off_t(n) + off_t(lastNewline) + 1
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
            if DiskFull.describes(error) { throw StorageError.diskFull("create directory '\(dir.path)'") }
            throw StorageError.io("cannot create directory '\(dir.path)': \(error.localizedDescription)")
        }
    }

    static func writeAndSync(_ data: Data, to path: String, flags: Int32) throws {
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw posixError("open", path) }
        defer { close(fd) }
        try writeAll(data, fd: fd, path: path)
        guard fsync(fd) == 0 else { throw posixError("fsync", path) }
    }

    static func writeAll(_ data: Data, fd: Int32, path: String) throws {
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
