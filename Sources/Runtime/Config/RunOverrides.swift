/// Command-line overrides, applied after `run.yaml` is read and before paths and defaults resolve.
public struct RunOverrides: Sendable {
    public var name: String?
    public var storage: String?
    public var store: String?
    public var objective: RunConfig.Objective?
    public var population: Int?
    public var maxGenerations: Int?
    public var slots: Int?

    public init(name: String? = nil, storage: String? = nil, store: String? = nil, objective: RunConfig.Objective? = nil,
                population: Int? = nil, maxGenerations: Int? = nil, slots: Int? = nil) {
        self.name = name; self.storage = storage; self.store = store; self.objective = objective
        self.population = population; self.maxGenerations = maxGenerations; self.slots = slots
    }

    /// Applies the overrides; the run name defaults to `lorenz` (lfads on the bundled data) or `toy`.
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
