import Foundation

/// Time arithmetic exactly as nlb_tools gets it from numpy and pandas (pure functions).
enum NWBTime {
    static let nsPerMs: Int64 = 1_000_000
    /// nlb_tools' `make_trial_data` subtracts one microsecond to make window ends exclusive.
    static let oneMicrosecond: Int64 = 1_000

    /// `numpy.round(x, 6)`: x·10⁶ rounded half to even, divided by 10⁶.
    static func round6(_ x: Double) -> Double { (x * 1e6).rounded(.toNearestOrEven) / 1e6 }

    /// `pandas.to_timedelta(array_of_seconds, unit="s")` in nanoseconds: whole seconds, plus the
    /// fraction rounded to 9 decimals and truncated to ns. Nil for non-finite or huge values.
    static func nanoseconds(_ seconds: Double) -> Int64? {
        guard seconds.isFinite, abs(seconds) < 9.0e9 else { return nil }
        let base = seconds.rounded(.towardZero)
        let frac = ((seconds - base) * 1e9).rounded(.toNearestOrEven) / 1e9
        return Int64(base) * 1_000_000_000 + Int64((frac * 1e9).rounded(.towardZero))
    }

    /// The 1 ms bin nlb_tools puts a spike at `t` seconds in: `int(round(t·1000, 6))` (truncation).
    static func spikeMs(_ t: Double) -> Int? {
        let v = round6(t * 1000)
        guard v.isFinite, abs(v) < 1e15 else { return nil }
        return Int(v.rounded(.towardZero))
    }

    /// The label (ns) of 1 ms row `i` of nlb_tools' frame: `to_timedelta(round(i / 1000, 6), "s")`.
    static func labelNs(ms i: Int) -> Int64 {
        nanoseconds(round6(Double(i) / 1000)) ?? Int64(i) * nsPerMs
    }

    /// `ceil(v / step) · step` for any sign (pandas `Timedelta.ceil`).
    static func ceil(_ v: Int64, to step: Int64) -> Int64 {
        let q = v / step, r = v % step
        return (r > 0 ? q + 1 : q) * step
    }
}

/// The binned time axis: nlb_tools' 1 ms frame of `msCount` rows resampled by `factor`.
struct NWBTimeline: Sendable {
    let msCount: Int
    let factor: Int

    var binCount: Int { (msCount + factor - 1) / factor }

    func labelNs(bin j: Int) -> Int64 { NWBTime.labelNs(ms: j * factor) }

    /// Bins whose label lies in `lo … hi` (inclusive), as pandas' label slicing selects them.
    func rows(from lo: Int64, through hi: Int64) -> Range<Int> {
        let a = firstBin { labelNs(bin: $0) >= lo }
        let b = firstBin { labelNs(bin: $0) > hi }
        return a..<max(a, b)
    }

    /// Like `rows`, but the grid is continued past both ends (bin j at j · bin), so a window
    /// reaching outside the recording keeps its length; bins outside `0..<binCount` read as NaN.
    func unclampedRows(from lo: Int64, through hi: Int64) -> Range<Int> {
        let a = unclampedFirst(lo, strict: false), b = unclampedFirst(hi, strict: true)
        return a..<max(a, b)
    }

    private func unclampedFirst(_ ns: Int64, strict: Bool) -> Int {
        let binNs = Int64(factor) * NWBTime.nsPerMs
        if binCount == 0 || ns < labelNs(bin: 0) || ns > labelNs(bin: binCount - 1) {
            let q = ns / binNs, r = ns % binNs
            let floor = r < 0 ? q - 1 : q
            return Int(strict ? floor + 1 : (r == 0 ? q : floor + 1))
        }
        return firstBin { strict ? labelNs(bin: $0) > ns : labelNs(bin: $0) >= ns }
    }

    private func firstBin(where pred: (Int) -> Bool) -> Int {
        var lo = 0, hi = binCount
        while lo < hi {
            let mid = (lo + hi) / 2
            if pred(mid) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// Which 1 ms rows of a unit group are observed: nlb_tools marks a group's rows outside the
/// `obs_intervals` of the group's first unit NaN (`[ceil(start·1000), floor(end·1000))` kept).
struct NWBObservedMask: Sendable {
    /// Maximal runs of observed rows, sorted.
    let runs: [Range<Int>]
    let msCount: Int

    /// Everything observed.
    init(msCount: Int) { self.msCount = msCount; runs = msCount > 0 ? [0..<msCount] : [] }

    init(intervals: [NWBSource.Interval], msCount: Int) {
        self.msCount = msCount
        var pieces: [Range<Int>] = []
        for iv in intervals {
            let s = NWBTime.round6(iv.start * 1000).rounded(.up)
            let e = NWBTime.round6(iv.end * 1000).rounded(.down)
            guard s.isFinite, e.isFinite else { continue }
            // numpy slice semantics: negative indices count from the end, then clamp.
            func clamp(_ x: Double) -> Int {
                var v = Int(max(min(x, 1e15), -1e15))
                if v < 0 { v += msCount }
                return min(max(v, 0), msCount)
            }
            let a = clamp(s), b = clamp(e)
            if a < b { pieces.append(a..<b) }
        }
        var runs: [Range<Int>] = []
        for r in pieces.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = runs.last, r.lowerBound <= last.upperBound {
                runs[runs.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                runs.append(r)
            }
        }
        self.runs = runs
    }

    /// The observed run containing row `ms`, nil when `ms` is not observed.
    func run(containing ms: Int) -> Range<Int>? {
        var lo = 0, hi = runs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid].upperBound <= ms { lo = mid + 1 } else { hi = mid }
        }
        return lo < runs.count && runs[lo].contains(ms) ? runs[lo] : nil
    }

    func isObserved(_ ms: Int) -> Bool { run(containing: ms) != nil }
}

/// nlb_tools' PSTH smoothing kernel: `gaussian(int(6·sd), sd)` normalised to sum 1, applied as
/// `convolve(x, w, "same")` (output row i = Σₖ x[i + c − k]·w[k], c = (M − 1) / 2).
struct NWBGaussianKernel: Sendable {
    let weights: [Double]
    /// prefix[k] = Σ_{m<k} weights[m].
    let prefix: [Double]
    var count: Int { weights.count }
    var center: Int { (weights.count - 1) / 2 }

    init(sdMs: Double) {
        let m = max(Int(6 * sdMs), 1)
        var w = (0..<m).map { n -> Double in
            let x = Double(n) - Double(m - 1) / 2
            return m == 1 ? 1 : Foundation.exp(-(x * x) / (2 * sdMs * sdMs))
        }
        let s = w.reduce(0, +)
        w = w.map { $0 / s }
        weights = w
        var p = [0.0]
        for v in w { p.append(p[p.count - 1] + v) }
        prefix = p
    }
}

/// Spike times of every unit, binned on demand into `timeline` rows as nlb_tools bins them:
/// 1 ms rows by truncation, summed in groups of `factor`, NaN where a bin's first 1 ms row is
/// not observed.
struct NWBSpikeRaster: Sendable {
    let timeline: NWBTimeline
    /// Sorted 1 ms rows of every spike, per unit.
    let spikeMs: [[Int]]

    /// Counts of `unit` in bins `rows`. Rows outside the timeline are NaN.
    func counts(unit: Int, rows: Range<Int>, mask: NWBObservedMask) -> [Float] {
        let f = timeline.factor
        var out = [Float](repeating: 0, count: rows.count)
        let spikes = spikeMs[unit]
        var k = nwbLowerBound(spikes, rows.lowerBound * f)
        let end = rows.upperBound * f
        while k < spikes.count && spikes[k] < end {
            out[spikes[k] / f - rows.lowerBound] += 1
            k += 1
        }
        for (i, j) in rows.enumerated() where j < 0 || j >= timeline.binCount || !mask.isObserved(j * f) { out[i] = .nan }
        return out
    }

    /// nlb_tools' PSTH input: the 1 ms spikes of `unit` smoothed with `kernel` within each
    /// observed run, then summed into bins `rows` (NaN where the bin's first row is unobserved).
    func smoothed(unit: Int, rows: Range<Int>, mask: NWBObservedMask, kernel: NWBGaussianKernel) -> [Double] {
        let f = timeline.factor, m = kernel.count, c = kernel.center
        let msLo = rows.lowerBound * f, msHi = min(rows.upperBound * f, timeline.msCount)
        var out = [Double](repeating: 0, count: rows.count)
        let spikes = spikeMs[unit]
        var k = nwbLowerBound(spikes, msLo + c - m + 1)
        while k < spikes.count && spikes[k] < msHi + c {
            let p = spikes[k]
            k += 1
            guard let seg = mask.run(containing: p) else { continue }
            // rows i receiving weight w[i + c − p]: p − c ≤ i < p − c + m, inside the run and range
            let lo = max(p - c, seg.lowerBound, msLo), hi = min(p - c + m, seg.upperBound, msHi)
            guard lo < hi else { continue }
            var i = lo
            while i < hi {
                let bin = i / f
                let next = min((bin + 1) * f, hi)
                out[bin - rows.lowerBound] += kernel.prefix[next + c - p] - kernel.prefix[i + c - p]
                i = next
            }
        }
        for (i, j) in rows.enumerated() where j < 0 || j >= timeline.binCount || !mask.isObserved(j * f) { out[i] = .nan }
        return out
    }
}

/// A continuous signal (behaviour) on nlb_tools' 1 ms frame, resampled as `NWBDataset.resample`
/// does: NaN-free columns decimated with `scipy.signal.decimate(q, n=500, ftype="fir")`
/// (zero-phase: output j = Σₘ h[m]·x[j·q + 250 − m], x = 0 outside the frame) after linear
/// interpolation over missing rows; a bin is NaN where its first 1 ms row had no value.
struct NWBContinuous: Sendable {
    let timeline: NWBTimeline
    let channels: Int
    /// Observed (non-NaN) samples per channel: 1 ms row and value, sorted by row.
    let validMs: [[Int]]
    let validValues: [[Double]]

    /// `sampleMs` must be strictly increasing rows inside the frame; `values` samples × channels.
    init(timeline: NWBTimeline, sampleMs: [Int], values: [Double], channels: Int) {
        self.timeline = timeline
        self.channels = channels
        var ms = [[Int]](repeating: [], count: channels), vals = [[Double]](repeating: [], count: channels)
        for (s, row) in sampleMs.enumerated() {
            for ch in 0..<channels where !values[s * channels + ch].isNaN {
                ms[ch].append(row); vals[ch].append(values[s * channels + ch])
            }
        }
        validMs = ms; validValues = vals
    }

    /// The FIR filter of `decimate(q, n=500, ftype="fir")`: `firwin(501, 1/q, window="hamming")`.
    static func decimationFilter(_ q: Int) -> [Double] {
        let taps = 501, cutoff = 1.0 / Double(q)
        let step = 2 * Double.pi / Double(taps - 1)
        var h = (0..<taps).map { n -> Double in
            let m = Double(n) - 250
            let fac = n == taps - 1 ? Double.pi : -Double.pi + Double(n) * step
            let window = 0.54 + 0.46 * Foundation.cos(fac)
            let y = Double.pi * (m == 0 ? 1e-20 : cutoff * m)
            return cutoff * (Foundation.sin(y) / y) * window
        }
        let s = h.reduce(0, +)
        h = h.map { $0 / s }
        return h
    }

    /// The raw value at 1 ms row `ms` (NaN if none).
    func raw(_ ms: Int, channel ch: Int) -> Double {
        let k = nwbLowerBound(validMs[ch], ms)
        return k < validMs[ch].count && validMs[ch][k] == ms ? validValues[ch][k] : .nan
    }

    /// pandas `interpolate(limit_direction="both")` on the 1 ms frame: linear between the
    /// neighbouring values, constant beyond the first / last one; 0 outside the frame.
    func interpolated(_ ms: Int, channel ch: Int) -> Double {
        if ms < 0 || ms >= timeline.msCount { return 0 }
        let xs = validMs[ch], ys = validValues[ch]
        guard let first = xs.first, let last = xs.last else { return .nan }
        if ms <= first { return ys[0] }
        if ms >= last { return ys[ys.count - 1] }
        let k = nwbLowerBound(xs, ms)
        if xs[k] == ms { return ys[k] }
        let slope = (ys[k] - ys[k - 1]) / Double(xs[k] - xs[k - 1])
        return slope * Double(ms - xs[k - 1]) + ys[k - 1]
    }

    /// Channel `ch` in bins `rows` (bins outside the timeline are NaN).
    func resampled(rows: Range<Int>, channel ch: Int, filter: [Double]) -> [Double] {
        let q = timeline.factor
        guard !rows.isEmpty else { return [] }
        if q == 1 {
            return rows.map { j in j >= 0 && j < timeline.binCount ? raw(j, channel: ch) : .nan }
        }
        let hasGaps = validMs[ch].count < timeline.msCount
        let lo = rows.lowerBound * q + 250 - 500, hi = (rows.upperBound - 1) * q + 250
        let x = (lo...hi).map { interpolated($0, channel: ch) }
        return rows.map { j -> Double in
            guard j >= 0 && j < timeline.binCount else { return .nan }
            if hasGaps && raw(j * q, channel: ch).isNaN { return .nan }
            var acc = 0.0
            let base = j * q + 250 - lo
            for m in 0..<filter.count { acc += filter[m] * x[base - m] }
            return acc
        }
    }
}

/// A ground-truth series averaged into bins: the mean of its samples whose 1 ms row (spike
/// rule) falls in the bin; a bin without samples holds the latest earlier sample (else the first).
struct NWBBinAverage: Sendable {
    let timeline: NWBTimeline
    let sampleMs: [Int]
    let values: [Double]
    let channels: Int

    func binned(rows: Range<Int>, scale: Double) -> [[Double]] {
        let f = timeline.factor
        return rows.map { j -> [Double] in
            var k = nwbLowerBound(sampleMs, j * f)
            let start = k
            var sum = [Double](repeating: 0, count: channels), n = [Int](repeating: 0, count: channels)
            while k < sampleMs.count && sampleMs[k] < (j + 1) * f {
                for ch in 0..<channels where !values[k * channels + ch].isNaN { sum[ch] += values[k * channels + ch]; n[ch] += 1 }
                k += 1
            }
            if k > start { return (0..<channels).map { n[$0] > 0 ? sum[$0] / Double(n[$0]) * scale : .nan } }
            let hold = start > 0 ? start - 1 : (sampleMs.isEmpty ? -1 : 0)
            guard hold >= 0 else { return [Double](repeating: .nan, count: channels) }
            return (0..<channels).map { values[hold * channels + $0] * scale }
        }
    }
}

/// First index of sorted `a` whose element is ≥ `x`.
func nwbLowerBound(_ a: [Int], _ x: Int) -> Int {
    var lo = 0, hi = a.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if a[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return lo
}
