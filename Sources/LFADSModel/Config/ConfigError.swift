/// A config problem, described in one line that names the key and the fix.
public enum ConfigError: Error, Equatable, CustomStringConvertible {
    case unknownKey(String, suggestions: [String])
    case badValue(key: String, value: String, expected: String)
    case invalid(key: String, reason: String)
    case malformed(source: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownKey(key, suggestions):
            let hint = suggestions.isEmpty ? "run `autolfads train --help` for the list of keys"
                : "did you mean " + suggestions.map { "'\($0)'" }.joined(separator: ", ") + "?"
            return "unknown config key '\(key)': \(hint)"
        case let .badValue(key, value, expected):
            return "config key '\(key)': '\(value)' is not \(expected)"
        case let .invalid(key, reason):
            return "config key '\(key)' \(reason)"
        case let .malformed(source, reason):
            return "\(source): \(reason)"
        }
    }
}
