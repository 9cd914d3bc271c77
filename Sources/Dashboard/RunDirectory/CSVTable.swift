import Foundation

/// A small CSV reader for the run logs: a header row, then rows. Handles double-quoted fields;
/// a final line without a newline (a torn append) is dropped.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]

    /// Parses `text`; empty text gives an empty table.
    public init(text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let last = lines.last, !last.isEmpty { lines.removeLast() }   // torn final line
        let parsed = lines.map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }.filter { !$0.isEmpty }.map(CSVTable.fields)
        header = parsed.first ?? []
        rows = Array(parsed.dropFirst())
    }

    /// Reads a file; nil when it does not exist.
    public static func read(_ url: URL) throws -> CSVTable? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DashboardError("cannot read \(url.path); check its permissions")
        }
        return CSVTable(text: String(decoding: data, as: UTF8.self))
    }

    static func fields(_ line: Substring) -> [String] {
        if !line.contains("\"") { return line.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        var out: [String] = [], cur = "", quoted = false
        var it = Array(line).makeIterator()
        var pending: Character? = nil
        while let ch = pending ?? it.next() {
            pending = nil
            if quoted {
                if ch == "\"" {
                    if let n = it.next() { if n == "\"" { cur.append("\"") } else { quoted = false; pending = n } }
                    else { quoted = false }
                } else { cur.append(ch) }
            } else if ch == "\"" { quoted = true }
            else if ch == "," { out.append(cur); cur = "" }
            else { cur.append(ch) }
        }
        out.append(cur)
        return out
    }

    /// The value in `column` of `row` ("" when absent).
    public func value(_ row: [String], _ column: String) -> String {
        guard let i = header.firstIndex(of: column), i < row.count else { return "" }
        return row[i]
    }

    /// A number (nil for "", "nan", "none" or unparsable; NaN/±inf become nil).
    public static func number(_ s: String) -> Double? {
        let t = s.trimmingCharacters(in: .whitespaces)
        guard let v = Double(t), v.isFinite else { return nil }
        return v
    }

    /// Parses "a=1;b=2" hyperparameter text.
    public static func hps(_ s: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for part in s.split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2, let v = Double(kv[1].trimmingCharacters(in: .whitespaces)) {
                out[kv[0].trimmingCharacters(in: .whitespaces)] = v
            }
        }
        return out
    }
}
