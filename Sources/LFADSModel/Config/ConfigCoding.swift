/// JSON/Codable form of the config: a flat object keyed by the lfads-torch names. Missing keys
/// take their defaults (checkpoints written before a key existed still load); unknown keys fail.
extension LFADSConfig: Codable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            guard let field = Self.fieldsByKey[key.stringValue] else {
                throw ConfigError.unknownKey(key.stringValue, suggestions: Self.closeMatches(for: key.stringValue))
            }
            switch field {
            case .int(let path): self[keyPath: path] = try container.decode(Int.self, forKey: key)
            case .double(let path): self[keyPath: path] = try container.decode(Double.self, forKey: key)
            case .bool(let path):   // checkpoints before on/off options were Bools hold 0/1
                if let b = try? container.decode(Bool.self, forKey: key) { self[keyPath: path] = b; continue }
                let n = try container.decode(Int.self, forKey: key)
                guard n == 0 || n == 1 else {
                    throw ConfigError.badValue(key: key.stringValue, value: String(n), expected: "on or off: true/false (or 1/0)")
                }
                self[keyPath: path] = n == 1
            case .observation(let path): self[keyPath: path] = try ObservationModel(parsing: container.decode(String.self, forKey: key))
            case .intList(let path): self[keyPath: path] = try container.decode([Int].self, forKey: key)
            }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, field) in Self.fields {
            switch field {
            case .int(let path): try container.encode(self[keyPath: path], forKey: Key(stringValue: key))
            case .double(let path): try container.encode(self[keyPath: path], forKey: Key(stringValue: key))
            case .bool(let path): try container.encode(self[keyPath: path], forKey: Key(stringValue: key))
            case .observation(let path): try container.encode(self[keyPath: path].rawValue, forKey: Key(stringValue: key))
            case .intList(let path): try container.encode(self[keyPath: path], forKey: Key(stringValue: key))
            }
        }
    }
}
