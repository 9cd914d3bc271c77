/// A condition value of one trials column.
enum NWBConditionValue: Hashable, Comparable, Sendable {
    case number(Double)
    case string(String)

    var isMissing: Bool { if case .number(let x) = self { return x.isNaN } else { return false } }

    static func < (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y
        case (.string(let x), .string(let y)): return x < y
        case (.number, .string): return true
        case (.string, .number): return false
        }
    }
}

/// One trial as the PSTH sees it: its row in the trials table, its window bins, the alignment
/// time (ns) its `align_time` is measured from, and its condition (one value per field).
struct NWBPSTHTrial: Sendable {
    let row: Int
    let bins: Range<Int>
    let alignNs: Int64
    let condition: [NWBConditionValue]
}

/// nlb_tools' `_make_psth`, for the trials of the train and validation splits: conditions are the
/// sorted distinct value combinations; per condition, trials shorter than 0.8 × the mean length
/// are dropped, the smoothed spikes are averaged (NaN skipped) per `align_time` (bin label −
/// alignment time rounded up to the bin), sorted, and cut to the shortest kept trial.
enum NWBPSTH {
    struct Result {
        /// Per condition: rows × channels (row-major).
        var psth: [[Double]]
        var lengths: [Int]
        /// Condition index of each kept trial, by trials-table row.
        var conditionOfRow: [Int: Int]
        /// The value combination of each condition.
        var combinations: [[NWBConditionValue]]
    }

    /// `units` are unit rows in output channel order, `masks` the observed mask of each.
    static func compute(trials: [NWBPSTHTrial], raster: NWBSpikeRaster, units: [Int],
                        masks: [NWBObservedMask], kernel: NWBGaussianKernel) -> Result {
        let binNs = Int64(raster.timeline.factor) * NWBTime.nsPerMs
        let n = units.count
        let combos = Set(trials.map(\.condition).filter { !$0.contains(where: \.isMissing) })
            .sorted { $0.lexicographicallyPrecedes($1) }
        var result = Result(psth: [], lengths: [], conditionOfRow: [:], combinations: [])
        for combo in combos {
            let members = trials.filter { $0.condition == combo && !$0.bins.isEmpty }
            guard !members.isEmpty else { continue }
            let meanLen = Double(members.reduce(0) { $0 + $1.bins.count }) / Double(members.count)
            let kept = members.filter { Double($0.bins.count) >= 0.8 * meanLen }
            guard let minLen = kept.map(\.bins.count).min() else { continue }
            var sums: [Int64: [Double]] = [:], counts: [Int64: [Int]] = [:]
            for t in kept {
                let origin = NWBTime.ceil(t.alignNs, to: binNs)
                let keys = t.bins.map { raster.timeline.labelNs(bin: $0) - origin }
                for key in keys where sums[key] == nil {
                    sums[key] = [Double](repeating: 0, count: n); counts[key] = [Int](repeating: 0, count: n)
                }
                for (ch, unit) in units.enumerated() {
                    let values = raster.smoothed(unit: unit, rows: t.bins, mask: masks[ch], kernel: kernel)
                    for (r, v) in values.enumerated() where !v.isNaN {
                        sums[keys[r]]![ch] += v
                        counts[keys[r]]![ch] += 1
                    }
                }
            }
            var rows: [Double] = []
            for key in sums.keys.sorted().prefix(minLen) {
                let s = sums[key]!, c = counts[key]!
                rows += (0..<n).map { c[$0] > 0 ? s[$0] / Double(c[$0]) : .nan }
            }
            let index = result.psth.count
            result.psth.append(rows)
            result.lengths.append(min(minLen, sums.count))
            result.combinations.append(combo)
            for t in kept { result.conditionOfRow[t.row] = index }
        }
        return result
    }
}
