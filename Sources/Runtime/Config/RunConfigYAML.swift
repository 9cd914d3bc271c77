import Foundation
import Yams

/// The run config written back as run.yaml: every key explicit (the resolved config), in the file's
/// key names, so that `autolfads run --config run.resolved.yaml` reproduces the run.
extension RunConfig {
    /// The file name of the resolved config in the run directory.
    public static let resolvedFileName = "run.resolved.yaml"

    /// The resolved config as YAML text (parsing it gives back an equal `RunConfig`).
    public func resolvedYAML() throws -> String {
        "# The resolved config of run '\(name)' (file, overrides and defaults); `autolfads run --config` accepts it.\n"
            + (try Yams.serialize(node: yamlNode(), width: -1))
    }

    /// The keys whose values differ from `other`'s, as `key: this, other` (dotted run.yaml keys).
    /// Keys written only when set count as their effective values (unset = the default), so a run stored
    /// before a key existed does not differ from a config that gives the default.
    public func differences(from other: RunConfig) -> [String] {
        func effective(_ c: RunConfig) -> [String: String] {
            var c = c
            c.finalEnsembleSetting = c.finalEnsemble; c.startAtDefaultsSetting = c.startAtDefaults
            c.finalStepTimeoutSeconds = c.finalStepTimeout; c.logTensorBoard = c.tensorBoard
            return Dictionary(YAMLOut.leaves(c.yamlNode()), uniquingKeysWith: { a, _ in a })
        }
        let mine = effective(self), theirs = effective(other)
        return Set(mine.keys).union(theirs.keys).sorted().compactMap { k in
            mine[k] == theirs[k] ? nil : "\(k): stored \(mine[k] ?? "unset"), given \(theirs[k] ?? "unset")"
        }
    }

    /// The resolved config as a YAML tree.
    func yamlNode() -> Node {
        typealias Y = YAMLOut
        var top: [(String, Node)] = [("name", Y.text(name))]
        if let s = sessionData { top.append(("data", .sequence(Node.Sequence(s.map(Y.text))))) }
        else if let d = data { top.append(("data", Y.text(d))) }
        top += [("storage", Y.text(storage)), ("store", Y.text(store)), ("objective", Y.text(objective.rawValue)),
                ("seed", Y.int(seed)), ("population", Y.int(population)), ("epochs_per_generation", Y.int(epochsPerGeneration)),
                ("ramp_epochs", Y.int(rampEpochs)), ("max_generations", Y.int(maxGenerations)),
                ("posterior_samples", Y.int(posteriorSamples)),
                ("stopping", Y.map([("enabled", Y.bool(stopEnabled)), ("patience", Y.int(stopPatience)),
                                    ("min_change", Y.number(stopMinChange))]))]
        var pbt: [(String, Node)] = [("mode", Y.text(mode.rawValue))]
        if let m = pbtMetric { pbt.append(("metric", Y.text(m.rawValue))) }
        pbt += [("minimize", Y.bool(minimize)), ("exploit", Y.text(exploit.rawValue)), ("exploit_fraction", Y.number(exploitFraction)),
                ("explore", Y.text(explore.rawValue)), ("resample_probability", Y.number(resampleProbability))]
        if let g = gridPoints { pbt.append(("grid_points", Y.int(g))) }
        if let d = startAtDefaultsSetting { pbt.append(("start_at_defaults", Y.bool(d))) }
        top.append(("pbt", Y.map(pbt)))
        top.append(("search_space", Y.map(searchSpace.map { ($0.name, $0.yamlNode()) })))
        top.append(("model", Y.json(model)))
        if objective == .toy || toy != ToyConfig() {
            top.append(("toy", Y.map([("epoch_seconds", Y.number(toy.epochSeconds)), ("epoch_seconds_spread", Y.number(toy.epochSecondsSpread)),
                                      ("step", Y.number(toy.step)), ("nan_workers", Y.ints(toy.nanWorkers)),
                                      ("crash_workers", Y.ints(toy.crashWorkers)),
                                      ("crash_first_attempt_workers", Y.ints(toy.crashFirstAttemptWorkers))]
                                     + (toy.posteriorSeconds.map { [("posterior_seconds", Y.number($0))] } ?? []))))
        }
        top.append(("resources", Y.map([("slots", Y.int(slots)), ("threads_per_slot", threadsPerSlot > 0 ? Y.int(threadsPerSlot) : Node("auto"))])))
        top.append(("faults", Y.map([("heartbeat_interval", Y.number(heartbeatInterval)), ("heartbeat_timeout", Y.number(heartbeatTimeout)),
                                     ("max_attempts", Y.int(maxAttempts)), ("client_idle_timeout", Y.number(clientIdleTimeout))]
                                    + (finalStepTimeoutSeconds.map { [("final_step_timeout", Y.number($0))] } ?? []))))
        if let e = finalEnsembleSetting { top.append(("final_ensemble", Y.int(e))) }
        if let t = logTensorBoard { top.append(("logging", Y.map([("tensorboard", Y.bool(t))]))) }
        return Y.map(top)
    }
}

extension HyperparameterConfig {
    /// This hyperparameter as its `search_space:` entry.
    func yamlNode() -> Node {
        typealias Y = YAMLOut
        var e: [(String, Node)] = []
        if let lo = min { e.append(("min", Y.number(lo))) }
        if let hi = max { e.append(("max", Y.number(hi))) }
        if let v = values { e.append(("values", .sequence(Node.Sequence(v.map(Y.number))))) }
        e.append(("init", initMode == .fixed ? Y.number(initValue ?? 0) : Y.text(initMode.rawValue)))
        e += [("explore", Y.bool(explore)), ("weight", Y.number(weight)), ("space", Y.text(space.rawValue)), ("limit", Y.bool(limit))]
        return Y.map(e)
    }
}

extension SearchSpacePresets {
    /// The objective's preset as a `search_space:` mapping (overrides of single fields start from it).
    static func yamlNode(for objective: RunConfig.Objective) -> Node {
        YAMLOut.map(preset(for: objective).map { ($0.name, $0.yamlNode()) })
    }
}

/// Scalars typed the way `YAMLSection` reads them back.
enum YAMLOut {
    static func map(_ pairs: [(String, Node)]) -> Node { .mapping(Node.Mapping(pairs.map { (Node($0.0), $0.1) })) }
    static func int(_ i: Int) -> Node { Node(String(i)) }
    static func bool(_ b: Bool) -> Node { Node(b ? "true" : "false") }
    static func ints(_ v: [Int]) -> Node { .sequence(Node.Sequence(v.map(int), .implicit, .flow)) }
    /// Shortest text that reads back as the same double (whole numbers without a fraction).
    static func number(_ d: Double) -> Node {
        if d == d.rounded(), abs(d) < 1e15 { return Node(String(Int(d))) }
        return Node("\(d)")
    }
    /// A string, quoted when plain YAML would read it as a number, a bool or null.
    static func text(_ s: String) -> Node {
        let retyped = YAMLSection.json(Node(s, .implicit, .plain)) != .string(s)
        return Node(s, .implicit, retyped || s.isEmpty ? .doubleQuoted : .plain)
    }
    /// Dotted key → scalar text of every leaf of a mapping tree (lists as one flow-style text).
    static func leaves(_ node: Node, prefix: String = "") -> [(String, String)] {
        if case .mapping(let m) = node {
            return m.flatMap { leaves($0.value, prefix: (prefix.isEmpty ? "" : prefix + ".") + ($0.key.string ?? "")) }
        }
        let text = node.scalar?.string ?? (try? Yams.serialize(node: node, width: -1))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return [(prefix, text)]
    }

    static func json(_ v: JSONValue) -> Node {
        switch v {
        case .null: return Node("null")
        case .bool(let b): return bool(b)
        case .number(let d): return number(d)
        case .string(let s): return text(s)
        case .array(let a): return .sequence(Node.Sequence(a.map(json), .implicit, .flow))
        case .object(let o): return map(o.keys.sorted().map { ($0, json(o[$0]!)) })
        }
    }
}
