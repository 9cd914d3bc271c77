import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The project's one crash-safe file writer.
///
/// `write` creates a temporary `.<name>.tmp-<random>` in the destination's directory with
/// `O_CREAT|O_EXCL|O_CLOEXEC` (a fresh file of this process's own, never an existing file or link),
/// fills and fsyncs it, renames it over the destination and fsyncs the directory: readers see the old
/// file or the new one, never a partial one, and a failure leaves the old file and no temporary.
/// Every failure is a `FileSystemError` carrying `errno` and naming the destination.
public enum AtomicFile {
    /// Marker in temporary file names.
    public static let temporaryMarker = ".tmp-"

    /// Whether `name` is one of this writer's temporary files (left behind by a crash).
    public static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix(".") && name.contains(temporaryMarker)
    }

    /// Atomically replaces `path` with `data`. `permissions` are the new file's mode (less the umask);
    /// `createDirectories` creates missing parent directories, else a missing one is an error.
    public static func write(_ data: Data, to path: String, permissions: mode_t = 0o644, createDirectories: Bool = true) throws {
        try replace(path, permissions: permissions, createDirectories: createDirectories) { _, fd in
            try writeAll(data, fd: fd, path: path)
        }
    }

    /// Atomically replaces `path` with what `body` writes into the temporary whose path it is given
    /// (an empty file that exists: open it for writing or truncate it, e.g. HDF5's create mode).
    /// Returns `body`'s result; if `body` throws, the temporary is removed and `path` is untouched.
    @discardableResult
    public static func write<T>(to path: String, permissions: mode_t = 0o644, createDirectories: Bool = true,
                                _ body: (_ temporaryPath: String) throws -> T) throws -> T {
        try replace(path, permissions: permissions, createDirectories: createDirectories) { temp, _ in try body(temp) }
    }

    /// Creates `path` with `data` only if it does not exist yet (atomic: temporary + `link`); returns
    /// false when another writer created it first.
    @discardableResult
    public static func createExclusive(_ data: Data, at path: String) throws -> Bool {
        let dir = directory(of: path)
        try createDirectories(dir)
        let (tmp, fd) = try createTemporary(for: path, permissions: 0o644)
        defer { unlink(tmp) }
        do {
            defer { close(fd) }
            try writeAll(data, fd: fd, path: path)
            guard fsync(fd) == 0 else { throw FileSystemError.last("fsync", path: path) }
        }
        if link(tmp, path) == 0 { syncDirectory(dir); return true }
        if errno == EEXIST { return false }
        throw FileSystemError.last("link to", path: path)
    }

    /// Appends `data` (whole lines) on an `O_APPEND` descriptor, then fsyncs. A torn last line left by a
    /// crash or a full disk is cut off first, and a write that fails is cut back, so the file only ever
    /// holds whole lines. Appenders take an exclusive `flock`, so one never cuts another's line.
    public static func append(_ data: Data, to path: String) throws {
        try createDirectories(directory(of: path))
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError.last("open", path: path) }
        defer { close(fd) }   // also releases the lock
        while flock(fd, LOCK_EX) != 0 { if errno != EINTR { throw FileSystemError.last("lock", path: path) } }
        let keep = wholeLinesLength(fd)
        if keep < lseek(fd, 0, SEEK_END) { _ = ftruncate(fd, keep) }
        do { try writeAll(data, fd: fd, path: path) } catch {
            _ = ftruncate(fd, keep)
            throw error
        }
        guard fsync(fd) == 0 else { throw FileSystemError.last("fsync", path: path) }
    }

    /// Removes temporaries left in `dir` by interrupted writes; returns how many.
    @discardableResult
    public static func removeTemporaries(in dir: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter(isTemporary).filter { unlink(dir + "/" + $0) == 0 }.count
    }

    /// Creates `dir` and its missing parents (mode 0755 less the umask); an existing directory is fine.
    public static func createDirectories(_ dir: String) throws {
        var st = stat()
        if stat(dir, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else { throw FileSystemError("create directory", path: dir, code: ENOTDIR) }
            return
        }
        let parent = directory(of: dir)
        if parent != dir && !parent.isEmpty { try createDirectories(parent) }
        if mkdir(dir, 0o755) != 0 && errno != EEXIST { throw FileSystemError.last("create directory", path: dir) }
    }

    /// Copies the bytes of the file `source` into the existing file `destination` (truncating it) and
    /// fsyncs it: how a `write(to:_:)` body starts from a copy of another file.
    public static func copyContents(of source: String, into destination: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw FileSystemError.last("open", path: source) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard output >= 0 else { throw FileSystemError.last("open", path: destination) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw FileSystemError.last("read", path: source) }
            if n == 0 { break }
            try writeAll(Data(buffer[0..<n]), fd: output, path: destination)
        }
        guard fsync(output) == 0 else { throw FileSystemError.last("fsync", path: destination) }
    }
}

// URL spellings for callers that hold URLs.
extension AtomicFile {
    /// `write(_:to:)` for a file URL.
    public static func write(_ data: Data, to url: URL) throws { try write(data, to: url.path) }
    /// `createExclusive(_:at:)` for a file URL.
    @discardableResult
    public static func createExclusive(_ data: Data, at url: URL) throws -> Bool { try createExclusive(data, at: url.path) }
    /// `append(_:to:)` for a file URL.
    public static func append(_ data: Data, to url: URL) throws { try append(data, to: url.path) }
    /// `removeTemporaries(in:)` for a directory URL.
    @discardableResult
    public static func removeTemporaries(in dir: URL) -> Int { removeTemporaries(in: dir.path) }
}
