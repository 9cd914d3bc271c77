#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One hyperparameter's values in a grid search.
public struct GridAxis: Equatable, Sendable {
    public var name: String
    public var values: [Double]
}

extension HyperparameterSpec {
    /// True when the HP is searched on a log scale (log-uniform or log-grid init, or log perturbation).
    public var isLogScaled: Bool {
        switch initMode {
        case .logUniform, .grid(log: true): return true
        default: return perturbationSpace == .log
        }
    }

    /// True when a grid gives this HP `points` values (a range); false for a fixed value or a list.
    public var isRangedForGrid: Bool {
        switch initMode {
        case .fixed, .choice: return false
        default: return values == nil
        }
    }

    /// The grid values of this HP: its fixed value; every value of its list; or `points` values from
    /// min to max inclusive, evenly spaced (in log10 for log-scaled HPs).
    public func gridValues(points: Int) -> [Double] {
        if case .fixed(let v) = initMode { return [snap(v)] }
        if let v = values, !v.isEmpty { return Array(Set(v)).sorted() }
        guard points > 1 else { return [min] }
        let (a, b) = isLogScaled ? (log10(min), log10(max)) : (min, max)
        return (0..<points).map { i in
            if i == 0 { return min }
            if i == points - 1 { return max }
            let t = a + Double(i) * (b - a) / Double(points - 1)
            return isLogScaled ? pow(10, t) : t
        }
    }
}

extension SearchSpace {
    /// The grid rule: each ranged HP gets `points` values; fixed HPs one; list HPs all their values.
    /// With `points` nil, the largest k ≥ 2 whose grid (k^ranged × list sizes) fits in `workers`.
    /// Worker w takes grid point w mod G (the first HP varies slowest), so the population must be
    /// the grid size G or a multiple of it (each point then trained by workers/G workers, with
    /// different seeds). Throws `PBTError.invalidPopulation` naming the grid size and the fix.
    public func gridAxes(workers: Int, points: Int?) throws -> [GridAxis] {
        try validate()
        let ranged = hyperparameters.filter(\.isRangedForGrid)
        let lists = hyperparameters.filter { !$0.isRangedForGrid }.map { $0.gridValues(points: 1).count }.reduce(1, *)
        if let p = points, p < 2 {
            throw PBTError.invalidConfig("grid points must be ≥ 2 (got \(p))")
        }
        func size(_ k: Int) -> Double { pow(Double(k), Double(ranged.count)) * Double(lists) }
        var k = points ?? 2
        if points == nil, !ranged.isEmpty { while size(k + 1) <= Double(workers) { k += 1 } }
        let names = ranged.map(\.name).joined(separator: ", ")
        guard size(k) <= Double(workers) else {
            throw PBTError.invalidPopulation(points == nil
                ? "a grid needs at least \(Int(size(2))) workers (2 values for each of \(ranged.count) ranged hyperparameters: \(names)\(lists > 1 ? ", times \(lists) list/fixed combinations" : "")) but the population is \(workers); raise population or fix some hyperparameters to one value (search_space.NAME.init: VALUE)"
                : "the grid has \(Int(size(k))) points (\(k) values for each of \(names)\(lists > 1 ? ", times \(lists) list/fixed combinations" : "")) but the population is \(workers); use population \(Int(size(k))) or a multiple, or fewer grid points")
        }
        let g = Int(size(k))
        guard workers % g == 0 else {
            throw PBTError.invalidPopulation("the grid has \(g) points (\(ranged.isEmpty ? "list/fixed values" : "\(k) values for each of \(names)")) and does not divide the population \(workers) evenly; use population \(g) or a multiple of it (\(g * 2), \(g * 3), …)\(points == nil ? "" : ", or change the grid points")")
        }
        return hyperparameters.map { GridAxis(name: $0.name, values: $0.gridValues(points: k)) }
    }

    /// The grid population: worker w gets grid point w mod G of `gridAxes` (first axis slowest).
    public func gridPopulation(workers: Int, points: Int?) throws -> [Hyperparameters] {
        let axes = try gridAxes(workers: workers, points: points)
        let g = axes.map(\.values.count).reduce(1, *)
        return (0..<workers).map { w in
            var rest = w % g
            var hps = Hyperparameters()
            for axis in axes.reversed() {
                hps[axis.name] = axis.values[rest % axis.values.count]
                rest /= axis.values.count
            }
            return hps
        }
    }
}
