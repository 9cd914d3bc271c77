import Foundation
import FileSystem

/// Checkpoint files on shared storage: the one container (`ChecksummedFile`) read and written with the
/// storage layer's errors (`StorageError`). A file whose length, magic or checksum does not match is
/// reported as corrupted and never returned.
public enum CheckpointFile {
    public static let headerSize = ChecksummedFile.headerSize

    /// Wraps `payload` with the header.
    public static func encode(_ payload: Data) -> Data { ChecksummedFile.encode(payload) }

    /// Checks a container and returns its payload; `path` only names the file in errors.
    public static func decode(_ data: Data, path: String) throws -> Data {
        do { return try ChecksummedFile.decode(data) } catch { throw StorageError.corrupted(path: path, reason: error.reason) }
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
