import Foundation
import Testing
@testable import Coordination
import FileSystem

@Suite struct DiskFullTests {
    struct Other: Error, CustomStringConvertible { var description: String }

    struct Wrapping: FileSystemErrorWrapping { var fileSystemError: FileSystemError? }

    @Test func recognisesEveryWritersWayOfSayingIt() {
        #expect(DiskFull.describes(StorageError.diskFull("write 'x'")))
        #expect(DiskFull.describes(StoreError.diskFull("SQLite store x.db")))
        #expect(DiskFull.describes(FileSystemError("write", path: "out/a.ckpt", code: ENOSPC)))
        #expect(DiskFull.describes(Wrapping(fileSystemError: FileSystemError("fsync", path: "out/a.ckpt", code: EDQUOT))), "a checkpoint error carries errno")
        #expect(!DiskFull.describes(Wrapping(fileSystemError: FileSystemError("write", path: "out/a.ckpt", code: EIO))))
        #expect(!DiskFull.describes(Other(description: "cannot write out/a.ckpt: \(String(cString: strerror(ENOSPC)))")), "decided from errno, not text")
        #expect(!DiskFull.describes(Other(description: "x.h5: writing the data failed (disk full?)")), "a guess is not a diagnosis")
        let mkdir = NSError(domain: NSCocoaErrorDomain, code: 640,
                            userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
        #expect(DiskFull.describes(mkdir), "Foundation's mkdir error carries ENOSPC underneath")
        #expect(DiskFull.describes(CocoaError(.fileWriteOutOfSpace)))
        #expect(!DiskFull.describes(StorageError.io("open 'x' failed: \(String(cString: strerror(EACCES)))")))
        #expect(!DiskFull.describes(StoreError.unavailable("postgres://h/db")))
    }

    @Test func noSpaceAndQuotaErrnoBecomeDiskFull() {
        for code in [ENOSPC, EDQUOT] {
            let e = StorageError(FileSystemError("write", path: "/runs/r/x.bin", code: code))
            #expect(e == .diskFull("write '/runs/r/x.bin'"))
            #expect(e.description.contains("no space left on device") && e.description.contains("free space"))
        }
        #expect(StorageError(FileSystemError("write", path: "/x", code: EACCES)) != .diskFull("write '/x'"))
    }
}
