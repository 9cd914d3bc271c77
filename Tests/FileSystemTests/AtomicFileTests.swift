import Foundation
import Testing
@testable import FileSystem

/// The one atomic writer: old file kept on failure, no temporary left, fresh temporaries only,
/// errno carried in every error.
@Suite struct AtomicFileTests {
    func tempDir() throws -> String {
        let d = NSTemporaryDirectory() + "autolfads-fs-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test func keepsTheOldFileOnFailureAndLeavesNoTemporary() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/out.bin"
        try AtomicFile.write(Data("old".utf8), to: path)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try AtomicFile.write(to: path) { temp in
                try Data("partial".utf8).write(to: URL(fileURLWithPath: temp))
                throw Boom()
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.bin"])
        try AtomicFile.write(Data("new".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.bin"])
        let missing = #expect(throws: FileSystemError.self) {
            try AtomicFile.write(Data(), to: dir + "/no/such/dir/x", createDirectories: false)
        }
        #expect(missing?.isMissingDirectory == true && missing?.code == ENOENT)
        #expect(missing?.description == "output directory '\(dir)/no/such/dir' does not exist; create it first")
        try AtomicFile.write(Data("deep".utf8), to: dir + "/a/b/c.txt")
        #expect(try String(contentsOfFile: dir + "/a/b/c.txt", encoding: .utf8) == "deep")
    }

    @Test func theTemporaryIsANewFileInTheDestinationDirectory() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/x.json"
        var seen = ""
        let mode = try AtomicFile.write(to: path, permissions: 0o640) { temp -> Int in
            seen = temp
            let attrs = try FileManager.default.attributesOfItem(atPath: temp)
            #expect((attrs[.size] as? Int) == 0, "an empty file made for this write")
            try Data("{}".utf8).write(to: URL(fileURLWithPath: temp))
            return (attrs[.posixPermissions] as? Int) ?? -1
        }
        #expect((seen as NSString).deletingLastPathComponent == dir)
        #expect(AtomicFile.isTemporary((seen as NSString).lastPathComponent), "\(seen)")
        #expect(mode & 0o077 & ~0o040 == 0 && mode & 0o600 == 0o600, "mode \(String(mode, radix: 8))")
        #expect(!FileManager.default.fileExists(atPath: seen))
        #expect(FileManager.default.contents(atPath: path) == Data("{}".utf8))
    }

    @Test func aPlantedLinkAtATemporaryNameIsNeverFollowed() throws {
        // Temporaries are opened O_CREAT|O_EXCL under fresh random names, so nothing planted in the
        // directory is written through; a planted temporary-looking link is cleaned up as a leftover.
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let victim = dir + "/victim"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: dir + "/.x\(AtomicFile.temporaryMarker)0", withDestinationPath: victim)
        try AtomicFile.write(Data("new".utf8), to: dir + "/x")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
        #expect(AtomicFile.removeTemporaries(in: dir) == 1, "the planted link counts as a leftover temporary")
    }

    @Test func createExclusiveAndAppendKeepWholeLines() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/log.csv"
        #expect(try AtomicFile.createExclusive(Data("h\n".utf8), at: path))
        #expect(try !AtomicFile.createExclusive(Data("other\n".utf8), at: path))
        let fd = open(path, O_WRONLY | O_APPEND)
        _ = "torn".withCString { write(fd, $0, 4) }
        close(fd)
        try AtomicFile.append(Data("1\n".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "h\n1\n")
    }

    @Test func errorsCarryErrnoAndNameTheFile() throws {
        for code in [ENOSPC, EDQUOT] {
            let e = FileSystemError("write", path: "/runs/r/x.bin", code: code)
            #expect(e.isDiskFull)
            #expect(e.description.hasPrefix("write '/runs/r/x.bin' failed: ") && e.description.contains("free space there"))
        }
        #expect(!FileSystemError("write", path: "/x", code: EACCES).isDiskFull)
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data().write(to: URL(fileURLWithPath: dir + "/file"))
        let e = #expect(throws: FileSystemError.self) { try AtomicFile.write(Data(), to: dir + "/file/below") }
        #expect(e?.code == ENOTDIR && e?.path == dir + "/file", "\(String(describing: e))")
        let src = dir + "/src", dst = dir + "/dst"
        try Data(repeating: 7, count: 3_000_000).write(to: URL(fileURLWithPath: src))
        try Data("longer old contents".utf8).write(to: URL(fileURLWithPath: dst))
        try AtomicFile.copyContents(of: src, into: dst)
        #expect(FileManager.default.contents(atPath: dst) == Data(repeating: 7, count: 3_000_000))
    }
}
