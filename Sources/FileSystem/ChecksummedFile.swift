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
        let bytes = [UInt8](data)
        let range = try payloadRange(bytes)
        return Data(bytes[range])
    }

    /// Writes the header into the first `headerSize` bytes of `buffer` (reserved by the caller) for the payload
    /// after them: a container built in place, without copying the payload.
    public static func seal(_ buffer: inout [UInt8]) {
        precondition(buffer.count >= headerSize, "seal: the buffer has no room for the header")
        let crc = buffer.withUnsafeBytes { CRC64.checksum(UnsafeRawBufferPointer(rebasing: $0[headerSize...])) }
        var header = magic
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { header += $0 } }
        put(version); put(UInt32(0)); put(UInt64(buffer.count - headerSize)); put(crc)
        buffer.replaceSubrange(0..<headerSize, with: header)
    }

    /// Checks a container in place and returns where its payload lies in `bytes`.
    public static func payloadRange(_ bytes: [UInt8]) throws(Damage) -> Range<Int> {
        guard bytes.count >= headerSize else {
            throw Damage(reason: "truncated: \(bytes.count) bytes, shorter than the \(headerSize)-byte header")
        }
        guard hasMagic(bytes) else { throw Damage(reason: "not an AutoLFADS checkpoint (bad magic)") }
        func get<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            bytes[at..<(at + MemoryLayout<T>.size)].withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
        }
        let v = get(8, UInt32.self)
        guard v == version else { throw Damage(reason: "unknown format version \(v)") }
        let length = get(16, UInt64.self), crc = get(24, UInt64.self)
        let actual = UInt64(bytes.count - headerSize)
        guard actual == length else {
            let kind = actual < length ? "truncated" : "trailing bytes"
            throw Damage(reason: "\(kind): payload is \(actual) bytes, header says \(length)")
        }
        let got = bytes.withUnsafeBytes { CRC64.checksum(UnsafeRawBufferPointer(rebasing: $0[headerSize...])) }
        guard got == crc else {
            throw Damage(reason: String(format: "checksum mismatch: stored %016llx, computed %016llx", crc, got))
        }
        return headerSize..<bytes.count
    }
}
