import Foundation

/// Where a run lives: its name, shared-storage root and store URL, as the run config says (the command
/// line builds it from the one parsed `RunConfig`: `RunConfig.location`, so deployment and the runtime
/// can never disagree on defaults).
public struct RunLocation: Equatable, Sendable {
    public var name: String
    public var storage: String
    public var store: String
    public var configPath: String?

    /// The run directory in shared storage.
    public var runDirectory: String { (storage as NSString).appendingPathComponent("runs/\(name)") }

    public init(name: String, storage: String, store: String? = nil, configPath: String? = nil) {
        self.name = name; self.storage = storage; self.configPath = configPath
        self.store = store ?? "sqlite://" + ((storage as NSString).appendingPathComponent("runs/\(name)/coordination.db"))
    }

    /// Run names as shared storage accepts them: 1–128 of A–Z a–z 0–9 - _ . and not starting with '.'.
    public static func validateRunName(_ n: String) throws {
        let ok = !n.isEmpty && n.count <= 128 && !n.hasPrefix(".")
            && n.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "-_.".contains($0) }
        guard ok else { throw DeployError("run name \"\(n)\" is invalid: use 1–128 of A–Z a–z 0–9 - _ . (not starting with '.')") }
    }

    /// `p` made absolute against `base` (after `~` expansion), standardized.
    public static func absolute(_ p: String, base: String) -> String {
        let e = (p as NSString).expandingTildeInPath
        if e.hasPrefix("/") { return (e as NSString).standardizingPath }
        return ((base as NSString).appendingPathComponent(e) as NSString).standardizingPath
    }
}
