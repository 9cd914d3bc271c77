import FileSystem

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

    /// The storage error for a file-layer failure: `.diskFull` when its errno is ENOSPC/EDQUOT, else `.io`.
    public init(_ e: FileSystemError) {
        self = e.isDiskFull ? .diskFull("\(e.operation) '\(e.path)'") : .io(e.description)
    }

    /// Runs a file-layer call, reporting its failure as a `StorageError`.
    static func mapping<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as FileSystemError { throw StorageError(e) }
    }
}
