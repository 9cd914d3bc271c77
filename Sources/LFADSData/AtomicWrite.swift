import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes outputs atomically: the body writes `<path>.tmp-<pid>-<random>` in the same
/// directory, the temp file is fsynced and renamed over `path`, then the directory is fsynced.
/// If the body throws, the temp file is removed and any existing `path` is untouched.
public enum AtomicWrite {
    /// Runs `body(tempPath)` and moves the result to `path`. Returns what the body returned.
    @discardableResult
    public static func write<T>(to path: String, _ body: (String) throws -> T) throws -> T {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: dir) else {
            throw HDF5Error(path: path, "output directory '\(dir)' does not exist; create it first")
        }
        let temp = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            let result = try body(temp)
            try fsyncPath(temp, for: path)
            guard rename(temp, path) == 0 else {
                throw HDF5Error(path: path, "cannot rename the temporary file into place: \(String(cString: strerror(errno)))")
            }
            try? fsyncPath(dir, for: path)
            return result
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// Writes `data` to `path` atomically.
    public static func write(data: Data, to path: String) throws {
        try write(to: path) { temp in
            guard FileManager.default.createFile(atPath: temp, contents: data) else {
                throw HDF5Error(path: path, "cannot write the temporary file \(temp)")
            }
        }
    }

    private static func fsyncPath(_ p: String, for path: String) throws {
        let fd = open(p, O_RDONLY)
        guard fd >= 0 else { throw HDF5Error(path: path, "cannot reopen \(p) to sync it") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw HDF5Error(path: path, "fsync failed: \(String(cString: strerror(errno)))") }
    }
}
