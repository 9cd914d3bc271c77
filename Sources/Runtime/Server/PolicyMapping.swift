import Foundation
import PBT

extension RunConfig {
    /// The PBT search space of this config.
    public var pbtSearchSpace: SearchSpace {
        SearchSpace(searchSpace.map { h in
            let lo = h.values?.min() ?? h.min ?? 0, hi = h.values?.max() ?? h.max ?? lo
            let mode: PBT.InitMode
            switch h.initMode {
            case .fixed: mode = .fixed(h.initValue ?? lo)
            case .uniform: mode = .uniform
            case .logUniform: mode = .logUniform
            case .grid: mode = .grid(log: false)
            case .logGrid: mode = .grid(log: true)
            case .choice: mode = .choice
            }
            return HyperparameterSpec(name: h.name, min: lo, max: hi, values: h.values, initMode: mode,
                                      explorable: h.explore, perturbation: h.weight,
                                      perturbationSpace: h.space == .log ? .log : .linear, limit: h.limit)
        })
    }

    /// The PBT decision policy of this config.
    public var pbtPolicy: PBTPolicy {
        let strategy: PBT.ExploitStrategy
        switch exploit {
        case .tournament: strategy = .binaryTournament
        case .truncation: strategy = .truncation(fraction: exploitFraction)
        case .paired: strategy = .pairedTournament
        }
        let method: SearchMethod
        switch mode {
        case .sync, .async: method = .pbt
        case .random: method = .random
        case .grid: method = .grid(points: gridPoints)
        }
        return PBTPolicy(space: pbtSearchSpace, objective: minimize ? .minimize : .maximize, exploit: strategy,
                         resampleProbability: explore == .resample ? resampleProbability : 0, method: method)
    }

    /// The PBT stopping rule of this config (a disabled ratio rule never fires).
    public var pbtStoppingRule: StoppingRule {
        StoppingRule(maxGenerations: maxGenerations, window: stopEnabled ? stopPatience : Int.max / 2, minChange: stopMinChange)
    }
}

extension HyperparameterConfig {
    /// The run.yaml form of a PBT spec (the inverse of `RunConfig.pbtSearchSpace` for one entry).
    public init(spec: HyperparameterSpec) {
        let mode: InitMode, value: Double?
        switch spec.initMode {
        case .fixed(let v): mode = .fixed; value = v
        case .uniform: mode = .uniform; value = nil
        case .logUniform: mode = .logUniform; value = nil
        case .grid(let log): mode = log ? .logGrid : .grid; value = nil
        case .choice: mode = .choice; value = nil
        }
        self.init(name: spec.name, min: spec.values == nil ? spec.min : nil, max: spec.values == nil ? spec.max : nil,
                  values: spec.values, initMode: mode, initValue: value, explore: spec.explorable,
                  weight: spec.perturbation, space: spec.perturbationSpace == .log ? .log : .linear, limit: spec.limit)
    }
}
