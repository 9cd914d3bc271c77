import Foundation

/// The one checkpoint container: a 32-byte header, then the payload (a model's own bytes: the LFADS
/// trainer's sections, or the toy objective's JSON).
///
/// Header (little endian): magic `ALFDCKPT` (8 bytes), format version UInt32 (= 1), reserved UInt32 (0),
/// payload length UInt64, CRC-64/XZ of the payload UInt64. Bytes whose length, magic or checksum do not
/// match are reported as damaged and their payload is never returned.
public enum ChecksummedFile {
    public static let magic = Array("ALFDCKPT".utf8)
    static let version: UInt32 = 1
    public static let headerSize = 32

    /// Why bytes are not a sound container (one line).
    public struct Damage: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// True when `bytes` begin with the container's magic.
    public static func hasMagic<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        bytes.count >= magic.count && Array(bytes.prefix(magic.count)) == magic
    }

    /// Wraps `payload` with the header.
    public static func encode(_ payload: Data) -> Data {
        var out = Data(capacity: headerSize + payload.count)
        out.append(contentsOf: magic)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        put(version); put(UInt32(0)); put(UInt64(payload.count)); put(CRC64.checksum(payload))
        out.append(payload)
        return out
    }

    /// Checks a container and returns its payload.
    public static func decode(_ data: Data) throws(Damage) -> Data {
        guard data.count >= headerSize else {
            throw Damage(reason: "truncated: \(data.count) bytes, shorter than the \(headerSize)-byte header")
        }
        let bytes = [UInt8](data.prefix(headerSize))
        guard hasMagic(bytes) else { throw Damage(reason: "not an AutoLFADS checkpoint (bad magic)") }
        func get<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            bytes[at..<(at + MemoryLayout<T>.size)].withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
        }
        let v = get(8, UInt32.self)
        guard v == version else { throw Damage(reason: "unknown format version \(v)") }
        let length = get(16, UInt64.self), crc = get(24, UInt64.self)
        let actual = UInt64(data.count - headerSize)
        guard actual == length else {
            let kind = actual < length ? "truncated" : "trailing bytes"
            throw Damage(reason: "\(kind): payload is \(actual) bytes, header says \(length)")
        }
        let payload = data.subdata(in: (data.startIndex + headerSize)..<data.endIndex)
        let got = CRC64.checksum(payload)
        guard got == crc else {
            throw Damage(reason: String(format: "checksum mismatch: stored %016llx, computed %016llx", crc, got))
        }
        return payload
    }
}
