import Foundation
import FileSystem

/// Append-only CSV logs (decisions, HP history, per-generation metrics).
///
/// The header is written atomically when the file is created; each row is appended with a single
/// `write` on an `O_APPEND` descriptor and fsynced, so rows never interleave on a local file system.
/// A crash can leave at most a torn last line without its newline; `read` drops it.
public enum CSVLog {
    /// Quotes a field when it holds a comma, quote or line break.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One CSV line with its newline.
    public static func line(_ fields: [String]) -> String { fields.map(escape).joined(separator: ",") + "\n" }

    /// Appends `row`; creates the file with `header` first if it does not exist.
    /// Throws if an existing file's header differs from `header`.
    public static func append(_ row: [String], header: [String], to url: URL) throws {
        guard row.count == header.count else {
            throw StorageError.invalidName("CSV row for '\(url.lastPathComponent)' has \(row.count) fields, header has \(header.count)")
        }
        if try !StorageError.mapping({ try AtomicFile.createExclusive(Data(line(header).utf8), at: url) }), let first = try read(url).first, first != header {
            throw StorageError.invalidName("'\(url.path)' has header \(first.joined(separator: ",")), expected \(header.joined(separator: ",")); use a new file")
        }
        try StorageError.mapping { try AtomicFile.append(Data(line(row).utf8), to: url) }
    }

    /// All complete rows (header first); a final line without newline (torn by a crash) is ignored.
    public static func read(_ url: URL) throws -> [[String]] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw StorageError.notFound(url.path) }
        return parse(String(decoding: data, as: UTF8.self))
    }

    /// Parses CSV text; only newline-terminated records are returned.
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], fields: [String] = [], field = "", quoted = false, i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if quoted {
                if c == "\"" {
                    let next = text.index(after: i)
                    if next < text.endIndex, text[next] == "\"" { field.append("\""); i = next } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(field); field = ""
            } else if c == "\n" || c == "\r\n" {
                fields.append(field); rows.append(fields); fields = []; field = ""
            } else if c != "\r" {
                field.append(c)
            }
            i = text.index(after: i)
        }
        return rows
    }
}
