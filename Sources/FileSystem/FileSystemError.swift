#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file-system call: what was attempted, on which path, and the `errno` it returned.
///
/// Callers decide from `code`, never from the text: `isDiskFull` is `ENOSPC` (no space) or `EDQUOT`
/// (quota), which no retry can fix. `description` is one line naming the file.
public struct FileSystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call that failed, in words ("open", "write", "rename to", "create directory"…).
    public let operation: String
    /// The path the user knows (the destination, not its temporary).
    public let path: String
    /// The `errno` value.
    public let code: Int32

    public init(_ operation: String, path: String, code: Int32) {
        self.operation = operation; self.path = path; self.code = code
    }

    /// The error of the call that just failed (reads `errno`).
    public static func last(_ operation: String, path: String) -> FileSystemError {
        FileSystemError(operation, path: path, code: errno)
    }

    /// The destination's directory does not exist (a write asked not to create it).
    public var isMissingDirectory: Bool { operation == Self.missingDirectoryOperation }

    /// No space or no quota left on the device.
    public var isDiskFull: Bool { code == ENOSPC || code == EDQUOT }

    /// The system's text for `code` ("No space left on device").
    public var reason: String { String(cString: strerror(code)) }

    public var description: String {
        if isMissingDirectory { return "output directory '\(path)' does not exist; create it first" }
        let text = "\(operation) '\(path)' failed: \(reason)"
        return isDiskFull ? text + "; free space there and run the same command again" : text
    }

    /// The same failure reported on `path` (a temporary's error named after its destination).
    public func on(_ path: String) -> FileSystemError { FileSystemError(operation, path: path, code: code) }
}

/// An error that wraps a `FileSystemError` (a checkpoint or storage error that carries its cause), so
/// that callers such as `DiskFull` can read the `errno` through it.
public protocol FileSystemErrorWrapping: Error {
    /// The underlying file-system failure, if this error has one.
    var fileSystemError: FileSystemError? { get }
}
