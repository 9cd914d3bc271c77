import Foundation

/// CRC-64/XZ (ECMA-182 polynomial, reflected, init and xorout all ones), table driven, 8 bytes per step.
/// Check value: CRC-64/XZ("123456789") = 0x995DC9BBDF1939FA.
public struct CRC64: Sendable {
    static let tables: [[UInt64]] = {
        let poly: UInt64 = 0xC96C_5795_D787_0F42
        var t = [[UInt64]](repeating: [UInt64](repeating: 0, count: 256), count: 8)
        for i in 0..<256 {
            var c = UInt64(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ poly : c >> 1 }
            t[0][i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 { t[k][i] = (t[k - 1][i] >> 8) ^ t[0][Int(t[k - 1][i] & 0xFF)] }
        }
        return t
    }()

    private var state: UInt64 = ~0

    public init() {}

    /// Feeds bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = state
        let t = Self.tables
        let t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3], t4 = t[4], t5 = t[5], t6 = t[6], t7 = t[7]
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let w = crc ^ UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            crc = t7[Int(w & 0xFF)] ^ t6[Int((w >> 8) & 0xFF)] ^ t5[Int((w >> 16) & 0xFF)] ^ t4[Int((w >> 24) & 0xFF)]
                ^ t3[Int((w >> 32) & 0xFF)] ^ t2[Int((w >> 40) & 0xFF)] ^ t1[Int((w >> 48) & 0xFF)] ^ t0[Int(w >> 56)]
            i += 8
        }
        while i < n {
            crc = t0[Int((crc ^ UInt64(bytes[i])) & 0xFF)] ^ (crc >> 8)
            i += 1
        }
        state = crc
    }

    /// The checksum of everything fed so far.
    public var value: UInt64 { ~state }

    /// Checksum of a byte sequence.
    public static func checksum<D: ContiguousBytes>(_ data: D) -> UInt64 {
        var c = CRC64()
        data.withUnsafeBytes { c.update($0) }
        return c.value
    }
}
