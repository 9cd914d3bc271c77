/// How the ground-truth rates of a file relate to counts per bin.
///
/// LFADS files should store `*_truth` as expected counts per bin, or in other units together with a
/// `conversion_factor` (file truth / factor = counts per bin). Some public files (the LFADS tutorial
/// Lorenz file among them) store rates in Hz with no factor; taken as counts per bin they give an
/// oracle far below zero bits/spike. `TruthScale.detect` compares each neuron's mean truth with its
/// mean count: a median ratio near 1 means counts per bin; a ratio near 1000 / bin-ms for a usual bin
/// width means Hz, and that ratio becomes the factor.
public struct TruthScale: Sendable, Equatable {
    /// Divide the file's truth by this to get counts per bin.
    public var factor: Double
    /// Where the factor comes from.
    public var source: Source
    /// Median over neurons of mean truth ÷ mean count (nil when it could not be measured).
    public var measuredRatio: Double?

    public enum Source: Sendable, Equatable {
        /// The file's `conversion_factor`.
        case fileFactor
        /// Given by the user (`--truth-scale`).
        case user
        /// Detected: truth already in counts per bin.
        case countsPerBin
        /// Detected: truth in Hz; `binMilliseconds` is the implied bin width.
        case hertz(binMilliseconds: Double)
        /// The ratio fits neither; the factor stays 1 and every truth metric is suspect.
        case unknown
    }

    public init(factor: Double, source: Source, measuredRatio: Double? = nil) {
        self.factor = factor; self.source = source; self.measuredRatio = measuredRatio
    }

    /// Bin widths (ms) recognised when the truth looks like Hz.
    public static let usualBinMilliseconds: [Double] = [1, 2, 4, 5, 10, 15, 20, 25, 40, 50, 100]

    /// Measures the scale of `truth` against `counts` (same layout, `channels` fastest; NaN counts skipped).
    public static func detect(truth: [Float], counts: [Float], channels: Int) -> TruthScale {
        guard channels > 0, truth.count == counts.count, !counts.isEmpty else { return TruthScale(factor: 1, source: .unknown) }
        var t = [Double](repeating: 0, count: channels), c = t, n = t
        for i in counts.indices where !counts[i].isNaN && truth[i].isFinite {
            t[i % channels] += Double(truth[i]); c[i % channels] += Double(counts[i]); n[i % channels] += 1
        }
        let ratios = (0..<channels).compactMap { k -> Double? in
            n[k] > 0 && c[k] > 0 && t[k] > 0 ? t[k] / c[k] : nil
        }.sorted()
        guard !ratios.isEmpty else { return TruthScale(factor: 1, source: .unknown) }
        let median = ratios[ratios.count / 2]
        if median > 0.5 && median < 2 { return TruthScale(factor: 1, source: .countsPerBin, measuredRatio: median) }
        // Hz: truth / counts = 1 / bin seconds. Snap to a usual bin width within 15 %.
        let impliedMs = 1000 / median
        if let bin = usualBinMilliseconds.min(by: { abs($0 - impliedMs) < abs($1 - impliedMs) }),
           abs(bin - impliedMs) / bin < 0.15 {
            return TruthScale(factor: 1000 / bin, source: .hertz(binMilliseconds: bin), measuredRatio: median)
        }
        return TruthScale(factor: 1, source: .unknown, measuredRatio: median)
    }

    /// False when truth-based numbers (oracle, R² against truth) cannot be trusted.
    public var isTrustworthy: Bool { source != .unknown }

    /// One line for `data inspect` and reports.
    public var description: String {
        let r = measuredRatio.map { " (truth ÷ counts per neuron, median \(short($0)))" } ?? ""
        switch source {
        case .fileFactor: return "truth: counts/bin = file truth / conversion_factor \(short(factor))"
        case .user: return "truth: counts/bin = file truth / \(short(factor)) (--truth-scale)"
        case .countsPerBin: return "truth: stored as counts per bin\(r)"
        case .hertz(let ms):
            return "truth: stored in Hz with no conversion_factor\(r); read as counts per \(short(ms)) ms bin (file truth / \(short(factor))); override with --truth-scale"
        case .unknown:
            return "truth: scale unknown\(r): neither counts per bin nor Hz at a usual bin width; truth metrics are not shown (give the factor with --truth-scale, or add conversion_factor to the file)"
        }
    }

    private func short(_ x: Double) -> String {
        let s = (x * 1000).rounded() / 1000
        return s == s.rounded() && abs(s) < 1e12 ? String(Int(s)) : String(s)
    }
}
