import Foundation

/// A JSON-compatible value used for configuration sections the runtime passes through
/// without interpreting (the LFADS model/train config, objective options).
public enum JSONValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The value as a number, if it is one.
    public var number: Double? { if case .number(let d) = self { return d }; return nil }
    /// The value as a string, if it is one.
    public var string: String? { if case .string(let s) = self { return s }; return nil }
    /// The value as an object, if it is one.
    public var object: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    /// Member lookup for objects (nil otherwise).
    public subscript(key: String) -> JSONValue? { object?[key] }
}
