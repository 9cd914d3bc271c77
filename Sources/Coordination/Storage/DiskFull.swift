import Foundation
import FileSystem

/// Recognises "no space left" failures from any writer (shared storage, store, checkpoints, HDF5),
/// which must stop a run with the fix instead of being retried until workers are marked bad.
public enum DiskFull {
    /// Exit status of a worker whose outputs did not fit on disk (EX_TEMPFAIL).
    public static let workerExitStatus: Int32 = 75
    /// Start of a job's error text when its worker ran out of disk space.
    public static let jobErrorPrefix = "disk full: "

    /// Whether `error` says the disk (or quota) is full, decided from `errno` (ENOSPC/EDQUOT) wherever
    /// one exists: a `FileSystemError` (the file layer), an error wrapping one (checkpoints), a Foundation
    /// error with that POSIX code (itself or underlying); else the database's own code (`StoreError.diskFull`
    /// from SQLITE_FULL or SQLSTATE 53100). Error text is never matched: a guess such as HDF5's
    /// "(disk full?)" does not count.
    public static func describes(_ error: Error) -> Bool {
        if let e = error as? FileSystemError { return e.isDiskFull }
        if let e = (error as? FileSystemErrorWrapping)?.fileSystemError { return e.isDiskFull }
        if case StorageError.diskFull = error { return true }
        if case StoreError.diskFull = error { return true }
        var ns: NSError? = error as NSError
        while let e = ns {
            if e.domain == NSPOSIXErrorDomain, [ENOSPC, EDQUOT].contains(Int32(e.code)) { return true }
            if e.domain == NSCocoaErrorDomain, e.code == CocoaError.fileWriteOutOfSpace.rawValue { return true }
            ns = e.userInfo[NSUnderlyingErrorKey] as? NSError
        }
        return false
    }
}
