import Foundation

/// Checksummed checkpoint file for the toy objective:
/// `AUTOLFADS-TOY1\n` + 8-byte payload length + 8-byte FNV-1a-64 hash + JSON payload.
/// A truncated or altered file fails `read` with an error naming the file.
enum ToyCheckpoint {
    static let magic = Array("AUTOLFADS-TOY1\n".utf8)

    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    static func encode(_ state: ToyState) throws -> Data {
        let payload = try JSONEncoder().encode(state)
        var d = Data(magic)
        withUnsafeBytes(of: UInt64(payload.count).littleEndian) { d.append(contentsOf: $0) }
        withUnsafeBytes(of: fnv1a(payload).littleEndian) { d.append(contentsOf: $0) }
        d.append(payload)
        return d
    }

    static func write(_ state: ToyState, to path: String) throws { try FileIO.write(encode(state), to: path) }

    static func read(_ path: String) throws -> ToyState {
        guard let d = FileManager.default.contents(atPath: path) else { throw RuntimeError("checkpoint \(path) is missing") }
        let b = [UInt8](d), m = magic.count
        guard b.count >= m + 16, Array(b[0..<m]) == magic else { throw RuntimeError("checkpoint \(path) is not a toy checkpoint or is truncated") }
        func u64(_ at: Int) -> UInt64 { b[at..<at + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        let len = u64(m), hash = u64(m + 8)
        guard UInt64(b.count - m - 16) == len else { throw RuntimeError("checkpoint \(path) is truncated (length mismatch)") }
        let payload = b[(m + 16)...]
        guard fnv1a(payload) == hash else { throw RuntimeError("checkpoint \(path) is corrupted (checksum mismatch)") }
        do { return try JSONDecoder().decode(ToyState.self, from: Data(payload)) }
        catch { throw RuntimeError("checkpoint \(path) has an unreadable payload") }
    }
}
