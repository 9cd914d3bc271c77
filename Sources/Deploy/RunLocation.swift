import Foundation
import Yams
import YAMLInput

/// Where a run lives: its name, shared-storage root and store URL, read from the few top-level keys
/// of a `run.yaml` that deployment needs (the runtime validates the rest). Defaults match the runtime:
/// name `lorenz`, storage `autolfads-runs` (relative paths resolve against the config's directory),
/// store `sqlite:///<storage>/runs/<name>/coordination.db`.
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

    /// Reads `path` (absolute or relative to `cwd`), then applies command-line overrides.
    public static func load(configPath path: String?, cwd: String = FileManager.default.currentDirectoryPath,
                            name: String? = nil, storage: String? = nil, store: String? = nil) throws -> RunLocation {
        var fileName: String?, fileStorage: String?, fileStore: String?
        var base = cwd
        var absConfig: String?
        if let path {
            let abs = absolute(path, base: cwd)
            absConfig = abs
            base = (abs as NSString).deletingLastPathComponent
            guard let text = try? String(contentsOfFile: abs, encoding: .utf8) else {
                throw DeployError("cannot read run config \(abs): check the --config path")
            }
            // The same size/alias/depth guard as the main config parser, before and after Yams.
            if let problem = YAMLInputLimits.problem(in: text) { throw DeployError("run config \(abs): \(problem)") }
            let node: Node?
            do { node = try Yams.compose(yaml: text) } catch {
                throw DeployError("run config \(abs) is not valid YAML: \(error)")
            }
            if let node, let problem = YAMLInputLimits.expansionProblem(of: node) { throw DeployError("run config \(abs): \(problem)") }
            if let node, case .mapping(let m) = node {
                func str(_ k: String) throws -> String? {
                    guard let v = m[Node(k)] else { return nil }
                    guard let s = v.string else { throw DeployError("run config \(abs): \(k) must be a string") }
                    return s
                }
                fileName = try str("name"); fileStorage = try str("storage"); fileStore = try str("store")
            } else if node != nil {
                throw DeployError("run config \(abs) must be a mapping of keys (name:, storage:, …)")
            }
        }
        let n = name ?? fileName ?? "lorenz"
        try validateRunName(n)
        let st = storage.map { absolute($0, base: cwd) } ?? absolute(fileStorage ?? "autolfads-runs", base: base)
        let url = store ?? fileStore.flatMap { $0.isEmpty ? nil : $0 }
        return RunLocation(name: n, storage: st, store: url, configPath: absConfig)
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
