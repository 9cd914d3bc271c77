/// Input problems reported by the PBT logic; each message names the thing and the fix.
public enum PBTError: Error, Equatable, CustomStringConvertible {
    case invalidSearchSpace(String)
    case invalidPopulation(String)
    case invalidConfig(String)

    public var description: String {
        switch self {
        case .invalidSearchSpace(let m): return "search space: \(m)"
        case .invalidPopulation(let m): return "population: \(m)"
        case .invalidConfig(let m): return "PBT config: \(m)"
        }
    }
}
