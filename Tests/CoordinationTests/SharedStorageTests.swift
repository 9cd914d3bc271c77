import Foundation
import Testing
@testable import Coordination
import FileSystem

@Suite struct SharedStorageTests {
    @Test func layoutPaths() throws {
        let s = SharedStorage(rootPath: "/shared")
        #expect(try s.checkpoint(run: "lorenz-1", worker: 3, generation: 12).path == "/shared/runs/lorenz-1/workers/w003/g012/checkpoint.bin")
        #expect(try s.hpsJSON(run: "r", worker: 0, generation: 0).path == "/shared/runs/r/workers/w000/g000/hps.json")
        #expect(try s.metricsCSV(run: "r", worker: 1200, generation: 5).path == "/shared/runs/r/workers/w1200/g005/metrics.csv")
        #expect(try s.logFile(run: "r", worker: 1, generation: 1).lastPathComponent == "log.txt")
        #expect(try s.decisionsCSV(run: "r").path == "/shared/runs/r/decisions.csv")
        #expect(try s.hpLogCSV(run: "r").path == "/shared/runs/r/hp_log.csv")
        #expect(try s.bestDirectory(run: "r").path == "/shared/runs/r/best")
        #expect(s.dataDirectory.path == "/shared/data")
        let ck = try s.checkpoint(run: "r", worker: 2, generation: 3)
        let rel = try s.relativePath(ck)
        #expect(rel == "runs/r/workers/w002/g003/checkpoint.bin")
        #expect(try s.resolve(rel) == ck)
        #expect(throws: StorageError.self) { try s.resolve("../etc/passwd") }
        #expect(throws: StorageError.self) { try s.resolve("/etc/passwd") }
        #expect(throws: StorageError.self) { try s.runDirectory("../x") }
        #expect(throws: StorageError.self) { try s.runDirectory(".hidden") }
        #expect(throws: StorageError.self) { try s.runDirectory("a/b") }
    }

    @Test func crcMatchesTheStandardCheckValue() {
        #expect(CRC64.checksum(Array("123456789".utf8)) == 0x995D_C9BB_DF19_39FA)
        #expect(CRC64.checksum([UInt8]()) == 0)
        // Streaming in odd pieces equals one shot.
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var c = CRC64()
        bytes[0..<3].withUnsafeBytes { c.update($0) }
        bytes[3..<517].withUnsafeBytes { c.update($0) }
        bytes[517...].withUnsafeBytes { c.update($0) }
        #expect(c.value == CRC64.checksum(bytes))
    }

    @Test func checkpointRoundTripAndCorruptionDetected() throws {
        let s = SharedStorage(root: TempDir.make())
        let url = try s.checkpoint(run: "r", worker: 0, generation: 1)
        let payload = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try CheckpointFile.write(payload, to: url)
        #expect(try CheckpointFile.read(url) == payload)
        let good = try Data(contentsOf: url)

        // One flipped bit in the payload.
        var flipped = good
        flipped[CheckpointFile.headerSize + 5000] ^= 0x10
        try flipped.write(to: url)
        #expect { try CheckpointFile.read(url) } throws: { e in
            guard case StorageError.corrupted(_, let why) = e else { return false }
            return why.contains("checksum mismatch")
        }
        // Truncated (a crash mid-copy, a full disk).
        try good.prefix(good.count - 1000).write(to: url)
        #expect { try CheckpointFile.read(url) } throws: { e in
            guard case StorageError.corrupted(_, let why) = e else { return false }
            return why.contains("truncated")
        }
        try good.prefix(10).write(to: url)
        #expect(throws: StorageError.self) { try CheckpointFile.read(url) }
        // Not a checkpoint at all.
        try Data("hello world, this is not a checkpoint file".utf8).write(to: url)
        #expect { try CheckpointFile.read(url) } throws: { e in "\(e)".contains("bad magic") && "\(e)".contains(url.path) }
        #expect(throws: StorageError.notFound(url.path + "x")) { try CheckpointFile.read(URL(fileURLWithPath: url.path + "x")) }
    }

    @Test func atomicWriteSurvivesASimulatedCrash() throws {
        let s = SharedStorage(root: TempDir.make())
        let url = try s.checkpoint(run: "r", worker: 1, generation: 0)
        try CheckpointFile.write(Data("old".utf8), to: url)
        // A crash during the next write leaves a partial temporary beside the file, never a partial file.
        let dir = url.deletingLastPathComponent()
        let leftover = dir.appendingPathComponent(".checkpoint.bin\(AtomicFile.temporaryMarker)123")
        try CheckpointFile.encode(Data("new-but-cut".utf8)).prefix(20).write(to: leftover)
        #expect(try CheckpointFile.read(url) == Data("old".utf8))
        #expect(try s.generations(run: "r", worker: 1) == [0])
        // The next write replaces the file; the cleanup removes the leftover.
        try CheckpointFile.write(Data("new".utf8), to: url)
        #expect(try CheckpointFile.read(url) == Data("new".utf8))
        #expect(AtomicFile.removeTemporaries(in: dir) == 1)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(names == ["checkpoint.bin"])
    }

    @Test func jsonAndCSV() throws {
        let s = SharedStorage(root: TempDir.make())
        struct HPs: Codable, Equatable { var lr: Double; var kl: Double }
        let hps = try s.hpsJSON(run: "r", worker: 0, generation: 2)
        try s.writeJSON(HPs(lr: 0.01, kl: 1e-4), to: hps)
        #expect(try s.readJSON(HPs.self, from: hps) == HPs(lr: 0.01, kl: 1e-4))

        let csv = try s.decisionsCSV(run: "r")
        let header = ["generation", "worker", "action", "note"]
        try CSVLog.append(["1", "0", "exploit", "from 3, \"better\""], header: header, to: csv)
        try CSVLog.append(["1", "1", "keep", ""], header: header, to: csv)
        // A torn final line (crash mid-append) is ignored by readers.
        let h = try FileHandle(forWritingTo: csv)
        h.seekToEndOfFile(); h.write(Data("2,0,exp".utf8)); try h.close()
        let rows = try CSVLog.read(csv)
        #expect(rows == [header, ["1", "0", "exploit", "from 3, \"better\""], ["1", "1", "keep", ""]])
        #expect(throws: StorageError.self) { try CSVLog.append(["x"], header: header, to: csv) }
        #expect(throws: StorageError.self) { try CSVLog.append(["a", "b"], header: ["a", "c"], to: csv) }
        // The next append cuts the torn line off first instead of gluing its row onto it.
        try CSVLog.append(["2", "0", "keep", ""], header: header, to: csv)
        #expect(try CSVLog.read(csv) == [header, ["1", "0", "exploit", "from 3, \"better\""], ["1", "1", "keep", ""], ["2", "0", "keep", ""]])
        #expect(try String(contentsOf: csv, encoding: .utf8).hasSuffix("\n2,0,keep,\n"))
    }

    @Test func concurrentCSVAppendsKeepWholeRows() async throws {
        let url = TempDir.make().appendingPathComponent("metrics.csv")
        let header = ["writer", "row", "padding"]
        let pad = String(repeating: "x", count: 300)
        await withTaskGroup(of: Void.self) { g in
            for w in 0..<4 {
                g.addTask { for r in 0..<50 { try? CSVLog.append(["\(w)", "\(r)", pad], header: header, to: url) } }
            }
        }
        let rows = try CSVLog.read(url)
        #expect(rows.count == 1 + 200)
        #expect(rows.first == header)
        #expect(Set(rows.dropFirst().map { $0[0] + "/" + $0[1] }).count == 200)
        #expect(rows.dropFirst().allSatisfy { $0.count == 3 && $0[2] == pad })
    }
}
