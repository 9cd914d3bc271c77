/// A deployment input problem, with a one-line message naming the value and the fix.
public struct DeployError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

enum Validate {
    /// Environment variable names a shell and `podman -e` accept.
    static func envName(_ name: String) throws {
        let ok = !name.isEmpty && name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
            && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        guard ok else { throw DeployError("environment variable name \"\(name)\" is invalid: use letters, digits and _ (not starting with a digit)") }
    }

    /// Memory sizes as Slurm and podman take them: digits with an optional k/m/g/t suffix.
    static func memory(_ m: String, what: String) throws {
        let digits = m.prefix { $0.isASCII && $0.isNumber }
        let rest = m.dropFirst(digits.count).lowercased()
        guard !digits.isEmpty, ["", "k", "m", "g", "t", "kb", "mb", "gb", "tb"].contains(rest) else {
            throw DeployError("\(what) \"\(m)\" is invalid: use a number with an optional K/M/G/T suffix, e.g. 4G")
        }
    }

    /// A host or container path usable in `-v HOST:CONTAINER`.
    static func mountPath(_ p: String, what: String) throws {
        guard p.hasPrefix("/") else { throw DeployError("\(what) \"\(p)\" must be an absolute path") }
        guard !p.contains(":") && !p.contains(",") && !p.contains("\n") else {
            throw DeployError("\(what) \"\(p)\" contains ':', ',' or a newline, which container mounts cannot express; use a path without them")
        }
    }

    static func noNewline(_ s: String, what: String) throws {
        guard !s.contains("\n") && !s.contains("\r") else { throw DeployError("\(what) must not contain a newline") }
    }
}
