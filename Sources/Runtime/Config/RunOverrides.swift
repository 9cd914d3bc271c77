import Foundation
import Yams

/// Command-line overrides. `assignments` are dotted `key=value` settings of any run.yaml key
/// (`population=16`, `pbt.mode=async`, `model.gen_dim=128`, `search_space.lr_init.max=1e-2`): they are
/// written into the parsed YAML tree before it is decoded, so they obey exactly the rules, limits and
/// error messages of the file. The flag overrides (`--name`, `--population`, …) apply after decoding
/// and win over both.
public struct RunOverrides: Sendable {
    public var name: String?
    public var storage: String?
    public var store: String?
    public var objective: RunConfig.Objective?
    public var population: Int?
    public var maxGenerations: Int?
    public var slots: Int?
    /// `key=value` texts, applied in order (a later one wins); values are YAML (`1e-2`, `true`, `[1, 2]`).
    public var assignments: [String]

    public init(name: String? = nil, storage: String? = nil, store: String? = nil, objective: RunConfig.Objective? = nil,
                population: Int? = nil, maxGenerations: Int? = nil, slots: Int? = nil, assignments: [String] = []) {
        self.name = name; self.storage = storage; self.store = store; self.objective = objective
        self.population = population; self.maxGenerations = maxGenerations; self.slots = slots
        self.assignments = assignments
    }

    /// One parsed assignment: the dotted key's parts and the value text.
    struct Assignment {
        var text: String
        var path: [String]
        var value: String
        var key: String { path.joined(separator: ".") }
    }

    /// The assignments split into key path and value; a malformed one is an error naming it.
    func parsedAssignments() throws -> [Assignment] {
        try assignments.map { text in
            guard let eq = text.firstIndex(of: "=") else {
                throw ConfigError("override '\(text)': expected key=value (e.g. population=16 or pbt.mode=async)")
            }
            let key = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
            let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !key.isEmpty, !path.contains(where: \.isEmpty) else {
                throw ConfigError("override '\(text)': the key must be a dotted run.yaml key such as pbt.mode")
            }
            return Assignment(text: text, path: path, value: String(text[text.index(after: eq)...]))
        }
    }

    /// Writes the assignments into `root` (the composed run.yaml, nil for an empty file). A
    /// `search_space.NAME.FIELD` assignment to a file without `search_space` starts from the preset.
    func apply(toTree root: Node?) throws -> Node? {
        let list = try parsedAssignments()
        guard !list.isEmpty else { return root }
        var tree = root ?? Node.mapping(Node.Mapping([]))
        if case .scalar(let s) = tree, s.string.isEmpty || s.string == "~" || s.string == "null" { tree = Node.mapping(Node.Mapping([])) }
        guard case .mapping = tree else { return tree }   // the decoder reports a non-mapping file
        for a in list {
            var value: Node
            do { value = try Yams.compose(yaml: a.value) ?? Node("", .implicit, .plain) }
            catch { throw ConfigError("override '\(a.text)': the value is not valid YAML (quote it, e.g. \(a.key)='\"text\"')") }
            if a.path.count > 2, a.path[0] == "search_space", Self.child(tree, "search_space") == nil {
                let objective = objective ?? Self.child(tree, "objective")?.string.flatMap(RunConfig.Objective.init(rawValue:)) ?? .lfads
                tree = try Self.set(tree, ["search_space"], SearchSpacePresets.yamlNode(for: objective), assignment: a)
            }
            if case .scalar(var s) = value, s.style == .any { s.style = .plain; value = .scalar(s) }
            tree = try Self.set(tree, a.path, value, assignment: a)
        }
        return tree
    }

    static func child(_ node: Node, _ key: String) -> Node? {
        guard case .mapping(let m) = node else { return nil }
        return m.first { $0.key.string == key }?.value
    }

    /// `node` with `path` set to `value`, creating missing mappings on the way.
    static func set(_ node: Node, _ path: [String], _ value: Node, assignment a: Assignment) throws -> Node {
        guard let key = path.first else { return value }
        var pairs: [(Node, Node)] = []
        switch node {
        case .mapping(let m): pairs = m.map { ($0.key, $0.value) }
        case .scalar(let s) where ["", "~", "null"].contains(s.string): break
        default:
            let done = a.path.prefix(a.path.count - path.count).joined(separator: ".")
            throw ConfigError("override '\(a.text)': \(done) is not a mapping here, so it has no key '\(key)'")
        }
        if let i = pairs.firstIndex(where: { $0.0.string == key }) {
            pairs[i].1 = try set(pairs[i].1, Array(path.dropFirst()), value, assignment: a)
        } else {
            pairs.append((Node(key), try set(.mapping(Node.Mapping([])), Array(path.dropFirst()), value, assignment: a)))
        }
        return .mapping(Node.Mapping(pairs))
    }
}

extension RunOverrides {
    /// Applies the flag overrides; the run name defaults to `lorenz` (lfads on the bundled data) or `toy`.
    func apply(to c: inout RunConfig, explicitName: String?) {
        if let storage { c.storage = storage }
        if let store { c.store = store }
        if let objective {
            if c.objective != objective && c.searchSpace == SearchSpacePresets.preset(for: c.objective) { c.searchSpace = [] }
            c.objective = objective
        }
        if let population { c.population = population }
        if let maxGenerations { c.maxGenerations = maxGenerations }
        if let slots { c.slots = slots }
        c.name = name ?? explicitName ?? (c.objective == .toy ? "toy" : "lorenz")
    }
}
