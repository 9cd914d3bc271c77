/// Which search a policy runs: PBT proper, or one of the baselines users compare it with.
///
/// The baselines share everything with PBT (population, seed, generations, epochs per generation,
/// the stopping rule) except the decisions: every worker keeps its own checkpoint and its initial
/// hyperparameters for the whole run (no exploit, no explore), so the same budget buys
/// independent trials instead of an adaptive schedule.
public enum SearchMethod: Equatable, Sendable {
    /// Population Based Training: exploit (copy a better worker) and explore (perturb its HPs).
    case pbt
    /// Random search: initial HPs drawn exactly as for PBT (same seed = same population), then kept.
    case random
    /// Grid search: initial HPs on a grid over the search space (`SearchSpace.gridPopulation`),
    /// then kept. `points` is the number of values per ranged HP (nil: as many as the population holds).
    case grid(points: Int?)

    /// True for PBT, the only method whose decisions copy or perturb.
    public var exploits: Bool { self == .pbt }

    /// How a run's `pbt.mode` (sync, async, random, grid) reads in status lines, the dashboard and the
    /// report; an unknown mode is returned as written.
    public static func label(forMode mode: String) -> String {
        switch mode {
        case "sync", "async": return "\(mode) PBT"
        case "random": return "random search (no exploit/explore)"
        case "grid": return "grid search (no exploit/explore)"
        default: return mode
        }
    }

    /// The config name: `pbt`, `random` or `grid`.
    public var name: String {
        switch self {
        case .pbt: return "pbt"
        case .random: return "random"
        case .grid: return "grid"
        }
    }
}

extension PBTPolicy {
    /// The initial hyperparameters of `workers` workers (index = worker id): drawn from the search
    /// space with `rng` for PBT and random search, the grid for grid search (which draws nothing).
    public func initialPopulation(workers: Int, using rng: inout PBTRandom) throws -> [Hyperparameters] {
        if case .grid(let points) = method { return try space.gridPopulation(workers: workers, points: points) }
        return try space.initialPopulation(workers: workers, using: &rng)
    }
}
