/// The few protocol-buffer encodings an `Event` needs: varints, 64-bit doubles, 32-bit floats and
/// length-delimited bytes (strings, nested messages). Fields are appended in the order written.
public struct ProtobufWriter {
    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    enum WireType: UInt64 { case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5 }

    mutating func key(_ field: Int, _ type: WireType) { appendVarint(UInt64(field) << 3 | type.rawValue) }

    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    /// An `int64` field (negative values take ten bytes, as protobuf specifies).
    public mutating func int64(_ field: Int, _ value: Int64) {
        key(field, .varint); appendVarint(UInt64(bitPattern: value))
    }

    /// A `double` field (little-endian IEEE 754).
    public mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        let bits = value.bitPattern
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
    }

    /// A `float` field (little-endian IEEE 754).
    public mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        let bits = value.bitPattern
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(i)))) }
    }

    /// A `bytes` or embedded-message field.
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, .lengthDelimited); appendVarint(UInt64(value.count)); bytes.append(contentsOf: value)
    }

    /// A `string` field (UTF-8).
    public mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }
}
