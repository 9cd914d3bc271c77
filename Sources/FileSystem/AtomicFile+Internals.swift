import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AtomicFile {
    /// The replace-by-rename protocol shared by both `write` forms: `fill(temp, fd)` writes the
    /// temporary (descriptor open for writing); then fsync, rename, fsync the directory.
    static func replace<T>(_ path: String, permissions: mode_t, createDirectories: Bool,
                           fill: (String, Int32) throws -> T) throws -> T {
        let dir = directory(of: path)
        if createDirectories { try Self.createDirectories(dir) } else {
            var st = stat()
            guard stat(dir, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else { throw FileSystemError.missingDirectory(dir) }
        }
        let (tmp, fd) = try createTemporary(for: path, permissions: permissions)
        do {
            let result: T
            do {
                defer { close(fd) }
                result = try fill(tmp, fd)
            }
            try syncFile(tmp, reportedAs: path)   // by path: the body may have reopened or truncated it
            guard rename(tmp, path) == 0 else { throw FileSystemError.last("rename to", path: path) }
            syncDirectory(dir)
            return result
        } catch {
            unlink(tmp)
            throw error
        }
    }

    /// A new temporary `.<name>.tmp-<random>` beside `path`, opened `O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC`.
    static func createTemporary(for path: String, permissions: mode_t) throws -> (String, Int32) {
        let dir = directory(of: path), name = (path as NSString).lastPathComponent
        for _ in 0..<8 {
            let tmp = dir + "/." + name + temporaryMarker + String(UInt64.random(in: 0...UInt64.max), radix: 16)
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
            if fd >= 0 { return (tmp, fd) }
            if errno != EEXIST { throw FileSystemError.last("create a temporary file for", path: path) }
        }
        throw FileSystemError("create a temporary file for", path: path, code: EEXIST)
    }

    static func syncFile(_ file: String, reportedAs path: String) throws {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError.last("reopen", path: path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileSystemError.last("fsync", path: path) }
    }

    static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }

    static func writeAll(_ data: Data, fd: Int32, path: String) throws {
        try data.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buf.count {
                let n = Foundation.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileSystemError.last("write", path: path)
                }
                offset += n
            }
        }
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

    /// The directory part of `path` ("." for a bare name).
    static func directory(of path: String) -> String {
        let d = (path as NSString).deletingLastPathComponent
        return d.isEmpty ? "." : d
    }
}

extension FileSystemError {
    /// Operation name of a missing destination directory (`write(…, createDirectories: false)`).
    static let missingDirectoryOperation = "find the output directory"

    /// The destination directory `dir` does not exist.
    static func missingDirectory(_ dir: String) -> FileSystemError {
        FileSystemError(missingDirectoryOperation, path: dir, code: ENOENT)
    }
}
