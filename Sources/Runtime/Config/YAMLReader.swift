import Foundation
import LFADSModel
import Yams

/// A configuration error: names the file/key at fault and how to fix it.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let message: String
    /// True when the message names the command-line override at fault (no file prefix is added).
    var fromOverride = false
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    /// Errors are equal when their messages are.
    public static func == (a: ConfigError, b: ConfigError) -> Bool { a.message == b.message }

    /// The error prefixed with the override that set its key (`override 'pbt.mdoe=x': pbt.mdoe: …`),
    /// or nil when no override did. The last assignment to the key, or to a key inside it, counts.
    func attributed(to assignments: [RunOverrides.Assignment]) -> ConfigError? {
        guard let colon = message.range(of: ": ") else { return nil }
        let key = String(message[..<colon.lowerBound])
        guard let a = assignments.last(where: { $0.key == key || $0.key.hasPrefix(key + ".") }) else { return nil }
        var e = ConfigError("override '\(a.text)': \(message)")
        e.fromOverride = true
        return e
    }
}

/// Reads one YAML mapping with typed accessors; every key must be consumed,
/// so an unknown (e.g. misspelt) key becomes an error naming it.
struct YAMLSection {
    let path: String
    private let pairs: [(String, Node)]
    private var used: Set<String> = []

    init(_ node: Node?, path: String) throws {
        self.path = path
        guard let node else { pairs = []; return }
        if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" || s.string == "null" {
            pairs = []; return
        }
        guard case .mapping(let m) = node else {
            throw ConfigError("\(path): expected a mapping of keys to values")
        }
        var seen: [(String, Node)] = []
        for (k, v) in m {
            guard let key = k.string else { throw ConfigError("\(path): keys must be strings") }
            if seen.contains(where: { $0.0 == key }) { throw ConfigError("\(path.isEmpty ? "" : path + ": ")key '\(key)' appears twice") }
            seen.append((key, v))
        }
        pairs = seen
    }

    var keys: [String] { pairs.map(\.0) }
    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func node(_ key: String) -> Node? {
        used.insert(key)
        guard let n = pairs.first(where: { $0.0 == key })?.1 else { return nil }
        if case .scalar(let s) = n, s.style == .plain || s.style == .any, ["~", "null", ""].contains(s.string) { return nil }
        return n
    }

    mutating func string(_ key: String) throws -> String? {
        guard let n = node(key) else { return nil }
        guard case .scalar(let s) = n else { throw ConfigError("\(name(key)): expected a string") }
        return s.string
    }

    mutating func double(_ key: String) throws -> Double? {
        guard let n = node(key) else { return nil }
        guard case .scalar(let s) = n, let d = Self.parseNumber(s.string) else {
            throw ConfigError("\(name(key)): expected a number")
        }
        return d
    }

    mutating func int(_ key: String) throws -> Int? {
        guard let d = try double(key) else { return nil }
        guard d == d.rounded(), abs(d) < 1e15 else { throw ConfigError("\(name(key)): expected a whole number") }
        return Int(d)
    }

    mutating func bool(_ key: String) throws -> Bool? {
        guard let n = node(key) else { return nil }
        guard case .scalar(let s) = n else { throw ConfigError("\(name(key)): expected true or false") }
        switch s.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigError("\(name(key)): expected true or false, got '\(s.string)'")
        }
    }

    mutating func intList(_ key: String) throws -> [Int]? {
        guard let n = node(key) else { return nil }
        guard case .sequence(let seq) = n else { throw ConfigError("\(name(key)): expected a list of whole numbers") }
        return try seq.map { item in
            guard case .scalar(let s) = item, let v = Int(s.string) else {
                throw ConfigError("\(name(key)): expected a list of whole numbers")
            }
            return v
        }
    }

    mutating func section(_ key: String) throws -> YAMLSection {
        try YAMLSection(node(key), path: name(key))
    }

    /// Throws if a key was never read (unknown key), listing what is allowed.
    func finish(allowed: [String]) throws {
        for k in keys where !used.contains(k) {
            let close = closeMatches(for: k, among: allowed)
            let hint = close.isEmpty ? "" : "; did you mean " + close.map { "'\($0)'" }.joined(separator: ", ") + "?"
            throw ConfigError("\(name(k)): unknown key '\(k)'\(hint) (allowed here: \(allowed.joined(separator: ", ")))")
        }
    }

    static func parseNumber(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
        if let d = Double(t), d.isFinite { return d }
        return nil
    }

    /// Converts any YAML node into a JSON-compatible value (scalars typed by their text).
    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let s):
            let quoted = s.style == .singleQuoted || s.style == .doubleQuoted
            if quoted { return .string(s.string) }
            switch s.string.lowercased() {
            case "~", "null", "": return .null
            case "true", "yes", "on": return .bool(true)
            case "false", "no", "off": return .bool(false)
            default: break
            }
            if let d = parseNumber(s.string) { return .number(d) }
            return .string(s.string)
        case .sequence(let seq): return .array(seq.map(json))
        case .mapping(let m):
            var o: [String: JSONValue] = [:]
            for (k, v) in m { o[k.string ?? ""] = json(v) }
            return .object(o)
        }
    }
}
