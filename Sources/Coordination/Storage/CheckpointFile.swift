import Foundation
import FileSystem

/// Checkpoint container: a 32-byte header then the payload (the model's own bytes).
///
/// Header (little endian): magic `ALFDCKPT` (8 bytes), format version UInt32 (=1), reserved UInt32 (0),
/// payload length UInt64, CRC-64/XZ of the payload UInt64. A file whose length, magic or checksum does not
/// match is reported as corrupted and never returned.
public enum CheckpointFile {
    static let magic = Array("ALFDCKPT".utf8)
    static let version: UInt32 = 1
    public static let headerSize = 32

    /// Wraps `payload` with the header.
    public static func encode(_ payload: Data) -> Data {
        var out = Data(capacity: headerSize + payload.count)
        out.append(contentsOf: magic)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        put(version); put(UInt32(0)); put(UInt64(payload.count)); put(CRC64.checksum(payload))
        out.append(payload)
        return out
    }

    /// Checks a container and returns its payload; `path` only names the file in errors.
    public static func decode(_ data: Data, path: String) throws -> Data {
        guard data.count >= headerSize else {
            throw StorageError.corrupted(path: path, reason: "truncated: \(data.count) bytes, shorter than the \(headerSize)-byte header")
        }
        let bytes = [UInt8](data.prefix(headerSize))
        guard Array(bytes[0..<8]) == magic else {
            throw StorageError.corrupted(path: path, reason: "not an AutoLFADS checkpoint (bad magic)")
        }
        func get<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            bytes[at..<(at + MemoryLayout<T>.size)].withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
        }
        let v = get(8, UInt32.self)
        guard v == version else { throw StorageError.corrupted(path: path, reason: "unknown format version \(v)") }
        let length = get(16, UInt64.self), crc = get(24, UInt64.self)
        let actual = UInt64(data.count - headerSize)
        guard actual == length else {
            let kind = actual < length ? "truncated" : "trailing bytes"
            throw StorageError.corrupted(path: path, reason: "\(kind): payload is \(actual) bytes, header says \(length)")
        }
        let payload = data.subdata(in: (data.startIndex + headerSize)..<data.endIndex)
        let got = CRC64.checksum(payload)
        guard got == crc else {
            throw StorageError.corrupted(path: path, reason: String(format: "checksum mismatch: stored %016llx, computed %016llx", crc, got))
        }
        return payload
    }

    /// Atomically writes a checkpoint.
    public static func write(_ payload: Data, to url: URL) throws {
        try StorageError.mapping { try AtomicFile.write(encode(payload), to: url) }
    }

    /// Reads and verifies a checkpoint.
    public static func read(_ url: URL) throws -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else { throw StorageError.notFound(url.path) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw StorageError.io("cannot read checkpoint '\(url.path)': \(error.localizedDescription)")
        }
        return try decode(data, path: url.path)
    }
}
