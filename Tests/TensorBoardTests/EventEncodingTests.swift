import Foundation
import Testing
@testable import TensorBoard

/// Known answers for the pieces of a TensorBoard events file; TensorBoard's own reader checks
/// whole files of real runs in RuntimeTests (`TensorBoardRunTests`).
@Suite struct EventEncodingTests {
    @Test func crc32cKnownAnswers() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        // RFC 3720 (iSCSI) appendix B.4 vectors.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        let crc = CRC32C.checksum(Array("123456789".utf8))
        #expect(CRC32C.masked(Array("123456789".utf8)) == ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    @Test func protobufFieldEncodings() {
        var w = ProtobufWriter()
        w.int64(2, 1)
        w.int64(2, 300)
        w.int64(2, -1)
        w.float(2, 1.0)
        w.double(1, 0.5)
        w.string(3, "ab")
        #expect(w.bytes == [0x10, 0x01, 0x10, 0xAC, 0x02,
                            0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
                            0x15, 0x00, 0x00, 0x80, 0x3F,
                            0x09, 0, 0, 0, 0, 0, 0, 0xE0, 0x3F,
                            0x1A, 0x02, 0x61, 0x62])
    }

    @Test func eventMessages() {
        let version = TensorBoardEvents.versionEvent(wallTime: 0)
        #expect(version == [0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x1A, 0x0D] + Array("brain.Event:2".utf8))
        let scalar = TensorBoardEvents.scalarEvent(step: 3, wallTime: 0, scalars: [("a", 1.0)])
        let value: [UInt8] = [0x0A, 0x01, 0x61, 0x15, 0x00, 0x00, 0x80, 0x3F]
        #expect(scalar == [0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x03, 0x2A, 0x0A, 0x0A, 0x08] + value)
    }

    @Test func recordFramingChecksLengthAndData() {
        let data = Array("hello".utf8)
        let r = TensorBoardEvents.record(data)
        #expect(r.count == 8 + 4 + data.count + 4)
        #expect(Array(r[0..<8]) == [5, 0, 0, 0, 0, 0, 0, 0])
        let le = { (b: ArraySlice<UInt8>) in b.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        #expect(le(r[8..<12]) == CRC32C.masked(Array(r[0..<8])))
        #expect(Array(r[12..<17]) == data)
        #expect(le(r[17..<21]) == CRC32C.masked(data))
    }

    @Test func fileNamesAreWhatTensorBoardLooksFor() {
        let name = TensorBoardEvents.fileName(createdAt: 1_700_000_000.7, host: "node-1.cluster", pid: 42, index: 3)
        #expect(name == "events.out.tfevents.1700000000.node-1_cluster.42.3")
        #expect(TensorBoardEvents.isEventFile(name) && TensorBoardEvents.isEventFile(name, index: 3))
        #expect(!TensorBoardEvents.isEventFile(name, index: 13) && !TensorBoardEvents.isEventFile("metrics.csv"))
    }

    @Test func appendingWriterWritesWholeRecords() throws {
        let dir = NSTemporaryDirectory() + "tb-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let when = Date(timeIntervalSince1970: 1000)
        let w = try EventFileWriter(directory: dir, index: 0, now: when)
        try w.add(step: 0, scalars: [("x", 2)], now: when)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: w.path)))
        #expect(bytes == TensorBoardEvents.file(createdAt: 1000, steps: [(0, 1000, [("x", 2)])]))
        #expect(throws: EventFileError.self) { try EventFileWriter(directory: dir + "/missing") }
    }
}
