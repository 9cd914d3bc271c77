import Foundation
import FileSystem

/// A worker's JSON and text files, written with the file layer's `AtomicFile` (failures are
/// `FileSystemError`s carrying `errno`, so a full disk is recognised by `DiskFull`).
enum FileIO {
    static func write(_ data: Data, to path: String) throws {
        try AtomicFile.write(data, to: path)
    }

    static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(enc.encode(value), to: path)
    }

    static func readJSON<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuntimeError("cannot read \(path) (missing file)")
        }
        do { return try JSONDecoder().decode(T.self, from: data) }
        catch { throw RuntimeError("\(path): not a valid \(T.self) file (\(error))") }
    }
}
