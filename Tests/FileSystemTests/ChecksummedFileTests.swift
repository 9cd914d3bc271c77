import Foundation
import Testing
import FileSystem

/// The one checkpoint container: built by copying (`encode`) or in place (`seal`), the same bytes; damage found.
@Suite struct ChecksummedFileTests {
    @Test func sealInPlaceEqualsEncodeAndDamageIsFound() throws {
        let payload = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var sealed = [UInt8](repeating: 0, count: ChecksummedFile.headerSize) + payload
        ChecksummedFile.seal(&sealed)
        #expect(sealed == [UInt8](ChecksummedFile.encode(Data(payload))))
        #expect(try ChecksummedFile.payloadRange(sealed) == ChecksummedFile.headerSize..<sealed.count)
        #expect(try ChecksummedFile.decode(Data(sealed)) == Data(payload))
        // CRC-64/XZ of the payload sits at offset 24 (check value of the standard: "123456789").
        var check = [UInt8](repeating: 0, count: ChecksummedFile.headerSize) + Array("123456789".utf8)
        ChecksummedFile.seal(&check)
        #expect(check[24..<32].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) } == 0x995D_C9BB_DF19_39FA)
        var flipped = sealed
        flipped[ChecksummedFile.headerSize + 5000] ^= 0x04
        #expect { _ = try ChecksummedFile.payloadRange(flipped) } throws: { "\($0)".contains("checksum mismatch") }
        #expect { _ = try ChecksummedFile.payloadRange(Array(sealed.dropLast())) } throws: { "\($0)".contains("truncated") }
        #expect { _ = try ChecksummedFile.payloadRange(Array(sealed.prefix(10))) } throws: { "\($0)".contains("header") }
        var magic = sealed
        magic[0] = UInt8(ascii: "X")
        #expect { _ = try ChecksummedFile.payloadRange(magic) } throws: { "\($0)".contains("bad magic") }
    }
}
