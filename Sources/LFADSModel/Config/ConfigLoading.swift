import Foundation
import Yams
import YAMLInput

extension LFADSConfig {
    /// Parses a YAML mapping of `key: value` over the defaults. Unknown keys are errors.
    /// - Parameter source: a name for error messages (usually the file path).
    public static func fromYAML(_ text: String, source: String = "config") throws -> LFADSConfig {
        if let problem = YAMLInputLimits.problem(in: text) { throw ConfigError.malformed(source: source, reason: problem) }
        let node: Any?
        do {
            if let root = try Yams.compose(yaml: text), let problem = YAMLInputLimits.expansionProblem(of: root) {
                throw ConfigError.malformed(source: source, reason: problem)
            }
            node = try Yams.load(yaml: text)
        } catch let e as ConfigError { throw e } catch {
            throw ConfigError.malformed(source: source, reason: "not valid YAML (\(String(describing: error).split(separator: "\n").first?.prefix(160) ?? ""))")
        }
        var config = LFADSConfig()
        guard let node else { return config }
        guard let map = node as? [String: Any] else {
            throw ConfigError.malformed(source: source, reason: "must be a mapping of `key: value` lines")
        }
        for key in map.keys.sorted() {
            let value = map[key]!
            if let list = value as? [Any], case .intList? = fieldsByKey[key] {
                try config.set(key, to: list.map { "\($0)" }.joined(separator: ","))
                continue
            }
            if value is [Any] || value is [String: Any] {
                throw ConfigError.badValue(key: key, value: "\(value)", expected: "a single number")
            }
            try config.set(key, to: "\(value)")
        }
        return config
    }

    /// Loads a YAML config file.
    public static func load(path: String) throws -> LFADSConfig {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError.malformed(source: path, reason: "cannot read the config file (check the path)")
        }
        return try fromYAML(text, source: path)
    }

    /// Applies `key=value` overrides in order.
    public mutating func apply(overrides: [String]) throws {
        for item in overrides {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ConfigError.malformed(source: "override '\(item)'", reason: "expected key=value")
            }
            try set(String(item[..<eq]), to: String(item[item.index(after: eq)...]))
        }
    }

    /// The config as YAML, one `key: value` line per key in declaration order.
    public func yamlString() -> String {
        Self.keys.map { "\($0): \(value(of: $0)!)" }.joined(separator: "\n") + "\n"
    }
}
