/// Why a PBT run stops.
public enum StopReason: Codable, Equatable, Sendable {
    /// Every worker has completed `maxGenerations` generations.
    case maxGenerations(Int)
    /// The improvement ratio over the last `window` generation bests fell to ≤ `minChange`.
    case noImprovement(ratio: Double)
    /// No worker has a valid score, so nobody can copy a working checkpoint.
    case allFailed
}

/// pbt_opt's stopping rule (the improvement-ratio rule of the original AutoLFADS, documented in docs/PBT.md).
///
/// Let `b_1 … b_G` be the per-generation best valid scores, converted so that larger is
/// better (negated when minimising); generations without a valid score are skipped.
/// With N = `window`, once G ≥ N:
///
///     ratio = (max(b_1 … b_G) − b_{G−N+1}) / mean(|b_{G−N+1}| … |b_G|)
///
/// and the run stops when ratio ≤ `minChange` (a zero mean gives ratio 0 if the numerator is
/// 0, else +∞). In words: the best ever is compared with the best N−1 generations ago,
/// relative to the typical magnitude of the last N bests. It also stops when the minimum
/// completed generation count reaches `maxGenerations`.
public struct StoppingRule: Codable, Equatable, Sendable {
    public var maxGenerations: Int
    /// N (pbt_opt `num_no_best_to_stop`, 5); 0 disables the ratio rule.
    public var window: Int
    /// pbt_opt `min_change_to_stop` (5e-4).
    public var minChange: Double

    public init(maxGenerations: Int = 20, window: Int = 5, minChange: Double = 5e-4) {
        self.maxGenerations = maxGenerations; self.window = window; self.minChange = minChange
    }

    /// The improvement ratio, or nil when fewer than `window` valid generation bests exist.
    public func improvementRatio(generationBests: [Double?], objective: Objective) -> Double? {
        let perfs = generationBests.compactMap { $0 }.filter(\.isFinite)
            .map { objective == .minimize ? -$0 : $0 }
        guard window > 0, perfs.count >= window else { return nil }
        let last = perfs.suffix(window)
        let numerator = perfs.max()! - last.first!
        let mean = last.reduce(0) { $0 + abs($1) } / Double(window)
        if mean == 0 { return numerator == 0 ? 0 : .infinity }
        return numerator / mean
    }

    /// Whether to stop after `completedGenerations` (the minimum over workers) generations.
    public func shouldStop(generationBests: [Double?], completedGenerations: Int,
                           objective: Objective) -> StopReason? {
        if completedGenerations >= maxGenerations { return .maxGenerations(maxGenerations) }
        if let r = improvementRatio(generationBests: generationBests, objective: objective), r <= minChange {
            return .noImprovement(ratio: r)
        }
        return nil
    }
}
