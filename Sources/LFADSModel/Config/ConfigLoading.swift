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
            guard let value = ConfigValue(yaml: map[key]!) else {
                throw ConfigError.badValue(key: key, value: "\(map[key]!)", expected: "a number, true/false, a name or a list of numbers")
            }
            try config.set(key, to: value)
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

extension ConfigValue {
    /// A value as `Yams.load` gives it; nil for a mapping or null.
    init?(yaml: Any) {
        switch yaml {
        case let b as Bool: self = .bool(b)
        case let n as Int: self = .number(Double(n))
        case let x as Double: self = .number(x)
        case let t as String: self = .text(t)
        case let items as [Any]:
            let values = items.compactMap(ConfigValue.init(yaml:))
            guard values.count == items.count else { return nil }
            self = .list(values)
        default: return nil
        }
    }
}
