import Foundation

/// How an axis maps data to pixels.
public enum AxisScale: String, Sendable, Codable {
    case linear, log
}

/// A data interval mapped onto a pixel interval, with its tick positions.
public struct Scale: Sendable {
    public let kind: AxisScale
    /// Data domain after rounding to nice bounds (for log: positive).
    public let lower: Double
    public let upper: Double
    /// Pixel range (`pixelLower` corresponds to `lower`).
    public let pixelLower: Double
    public let pixelUpper: Double
    public let ticks: [Double]

    /// Builds a scale over the finite (and for log, positive) `values`; a default domain when there are none.
    public init(kind: AxisScale, values: [Double], pixels: (Double, Double), includeZero: Bool = false) {
        self.kind = kind
        pixelLower = pixels.0; pixelUpper = pixels.1
        var usable = values.filter { $0.isFinite && (kind == .linear || $0 > 0) }
        if includeZero && kind == .linear { usable.append(0) }
        switch kind {
        case .linear:
            var lo = usable.min() ?? 0, hi = usable.max() ?? 1
            if lo == hi { let pad = lo == 0 ? 1 : abs(lo) * 0.1; lo -= pad; hi += pad }
            let step = Scale.niceStep((hi - lo) / 5)
            lo = (lo / step).rounded(.down) * step
            hi = (hi / step).rounded(.up) * step
            lower = lo; upper = hi
            var t: [Double] = []
            var v = lo
            while v <= hi + step * 1e-9 && t.count < 50 { t.append(abs(v) < step * 1e-9 ? 0 : v); v += step }
            ticks = t
        case .log:
            var lo = (usable.min() ?? 1), hi = (usable.max() ?? 10)
            var e0 = log10(lo).rounded(.down), e1 = log10(hi).rounded(.up)
            if e0 == e1 { e0 -= 1; e1 += 1 }
            lo = pow(10, e0); hi = pow(10, e1)
            lower = lo; upper = hi
            let decades = Int(e1 - e0)
            var t: [Double] = []
            let stride = max(1, decades / 6)
            for e in Swift.stride(from: Int(e0), through: Int(e1), by: stride) { t.append(pow(10, Double(e))) }
            if decades == 1 { t = [lo, 2 * lo, 5 * lo, hi] }
            ticks = t
        }
    }

    /// A linear scale over exactly [lower, upper] (no rounding of the bounds), with nice ticks inside it.
    public init(exactLower lower: Double, upper: Double, pixels: (Double, Double)) {
        kind = .linear
        self.lower = lower; self.upper = upper > lower ? upper : lower + 1
        pixelLower = pixels.0; pixelUpper = pixels.1
        let step = Scale.niceStep((self.upper - lower) / 5)
        var t: [Double] = []
        var v = (lower / step).rounded(.up) * step
        while v <= self.upper + step * 1e-9 && t.count < 50 { t.append(v); v += step }
        ticks = t
    }

    /// 1, 2 or 5 × 10^k, the smallest at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let mag = pow(10, log10(rough).rounded(.down))
        let r = rough / mag
        let m: Double = r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10
        return m * mag
    }

    /// Pixel position of `value`; nil when it cannot be shown (non-finite, or ≤ 0 on a log axis).
    public func pixel(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        let f: Double
        switch kind {
        case .linear: f = (value - lower) / (upper - lower)
        case .log:
            guard value > 0 else { return nil }
            f = (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return pixelLower + f * (pixelUpper - pixelLower)
    }

    /// Label text for a tick.
    public func label(_ tick: Double) -> String {
        switch kind {
        case .linear: return SVGText.number(tick)
        case .log:
            let e = log10(tick)
            if abs(e - e.rounded()) < 1e-9 {
                let k = Int(e.rounded())
                return (0...3).contains(k) ? SVGText.number(tick) : "1e\(k)"
            }
            return SVGText.number(tick)
        }
    }
}
