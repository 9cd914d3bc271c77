import Foundation

/// The bins one trial contributes, as nlb_tools' `make_trial_data` selects them: labels in
/// `[event + start, event + end − 1 µs]` (or `[start_time, stop_time − 1 µs]` for whole trials).
struct NWBTrialBins: Sendable {
    let row: Int
    let id: Int
    /// Window bins (whole-trial mode: this trial's length, ≤ the padded length).
    let window: Range<Int>
    /// The `forwardBins` bins right after the window.
    let forward: Range<Int>
    /// Window bins shifted by the behaviour lag (may reach outside the recording: NaN there).
    let behavior: Range<Int>
    /// Time `align_time` is measured from (the event, or the trial start), ns.
    let alignNs: Int64
}

/// Unit, split and window decisions for one conversion (pure; errors name the file and key).
enum NWBTrialPlan {
    /// Held-in and held-out unit rows (NWB row order within each group).
    static func selectUnits(_ units: NWBSource.Units, _ choice: NWBConversionOptions.HeldOut, seed: UInt64,
                            path: String) throws -> (heldIn: [Int], heldOut: [Int]) {
        let n = units.count
        var out = Set<Int>()
        switch choice {
        case .automatic:
            if let h = units.heldout { out = Set((0..<n).filter { h[$0] }) }
        case .nwbColumn:
            guard let h = units.heldout else {
                throw DataFileError(path: path, key: "units/heldout", "missing: the units table has no 'heldout' column; choose --heldout-units none, auto:FRACTION or a list of unit ids")
            }
            out = Set((0..<n).filter { h[$0] })
        case .fraction(let f):
            let k = Int((f * Double(n)).rounded(.toNearestOrEven))
            var rng = SeededRandom(seed: seed)
            out = Set(rng.permutation(n).prefix(k))
        case .ids(let ids):
            let rowOf = Dictionary(units.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            for id in ids {
                guard let r = rowOf[id] else {
                    throw DataFileError(path: path, key: "units/id", "--heldout-units: no unit with id \(id); the ids are \(units.ids.prefix(8).map(String.init).joined(separator: ", "))\(n > 8 ? ", …" : "")")
                }
                out.insert(r)
            }
        case .none:
            break
        }
        let heldIn = (0..<n).filter { !out.contains($0) }, heldOut = (0..<n).filter { out.contains($0) }
        guard !heldIn.isEmpty else {
            throw DataFileError(path: path, key: "units/heldout", "every one of the \(n) units is held out, leaving no held-in units for the encoder; hold out fewer units (--heldout-units)")
        }
        return (heldIn, heldOut)
    }

    /// Split of every trial row (nil = in no split): the `split` column (train / val / test), or
    /// `validFraction` of the trials chosen by `seed` as validation trials.
    static func splits(_ trials: NWBSource.Trials, validFraction: Double, seed: UInt64, path: String) throws -> [LFADSSplitName?] {
        let n = trials.count
        var out: [LFADSSplitName?]
        if let column = trials.columns["split"] {
            guard case .strings(let s) = column else {
                throw DataFileError(path: path, key: "intervals/trials/split", "must hold strings (train, val, test)")
            }
            out = s.map { ["train": .train, "val": .valid, "valid": .valid, "test": .test][$0] }
        } else {
            var k = Int((validFraction * Double(n)).rounded(.toNearestOrEven))
            if validFraction > 0 && n >= 2 { k = min(max(k, 1), n - 1) }
            var rng = SeededRandom(seed: seed ^ 0x5EED_5EED)
            let valid = Set(rng.permutation(n).prefix(k))
            out = (0..<n).map { valid.contains($0) ? .valid : .train }
        }
        for name in [LFADSSplitName.train, .valid] where !out.contains(name) {
            throw DataFileError(path: path, key: "intervals/trials/split", "no \(name == .train ? "'train'" : "'val'") trials; LFADS needs train and validation trials (fix the split column, or remove it and use --valid-fraction)")
        }
        return out
    }

    /// The event time (s) of every trial row: `start_time`, `stop_time` or a numeric column.
    static func eventTimes(_ trials: NWBSource.Trials, field: String?, path: String) throws -> [Double] {
        guard let field, field != "start_time" else { return trials.start }
        if field == "stop_time" || field == "end_time" { return trials.stop }
        guard let column = trials.columns[field] else {
            let known = (["start_time", "stop_time"] + trials.columns.keys.sorted()).joined(separator: ", ")
            throw DataFileError(path: path, key: "intervals/trials/\(field)", "--align: no such trials column; available: \(known)")
        }
        guard case .numbers(let v) = column else {
            throw DataFileError(path: path, key: "intervals/trials/\(field)", "--align: the column holds strings, not event times in seconds")
        }
        return v
    }

    /// Window, forward and behaviour bins of trial `row`, checked against the recording.
    static func bins(row: Int, trials: NWBSource.Trials, event: Double, alignField: String?,
                     options: NWBConversionOptions, timeline: NWBTimeline, windowBins: Int?, path: String) throws -> NWBTrialBins {
        let id = trials.ids[row]
        let key = "intervals/trials/\(alignField ?? "start_time")"
        guard let eventNs = NWBTime.nanoseconds(event) else {
            throw DataFileError(path: path, key: key, "trial \(id): the event time is \(event); every converted trial needs a finite time (drop the trial or align on another column)")
        }
        guard let startNs = NWBTime.nanoseconds(trials.start[row]), let stopNs = NWBTime.nanoseconds(trials.stop[row]) else {
            throw DataFileError(path: path, key: "intervals/trials/start_time", "trial \(id): start/stop time is not finite")
        }
        let ms = NWBTime.nsPerMs, us = NWBTime.oneMicrosecond
        let binNs = Int64(timeline.factor) * ms
        let fwd = Int64(options.forwardBins) * binNs, lag = Int64(options.behaviorLagMs) * ms
        let lo: Int64, hi: Int64, alignNs: Int64
        if let w = options.window {
            lo = eventNs + Int64(w.startMs) * ms; hi = eventNs + Int64(w.endMs) * ms
            alignNs = eventNs
            guard hi > startNs && lo < stopNs else {
                throw DataFileError(path: path, key: key, "trial \(id): --window \(w.description) around \(nwbFmt(event)) s lies outside the trial (\(nwbFmt(trials.start[row]))…\(nwbFmt(trials.stop[row])) s); choose a window that overlaps each trial")
            }
        } else {
            lo = startNs; hi = stopNs; alignNs = startNs
        }
        let window = timeline.rows(from: lo, through: hi - us)
        let forward = timeline.rows(from: hi, through: hi + fwd - us)
        let recordingEnd = Double(timeline.msCount) / 1000
        if let t = windowBins, window.count != t {
            throw DataFileError(path: path, key: key, "trial \(id): the window \(nwbFmt(Double(lo) / 1e9))…\(nwbFmt(Double(hi) / 1e9)) s reaches outside the recording (0…\(nwbFmt(recordingEnd)) s); shorten --window or drop the trial")
        }
        guard forward.count == options.forwardBins else {
            throw DataFileError(path: path, key: key, "trial \(id): the \(options.forwardBins) forward bins after \(nwbFmt(Double(hi) / 1e9)) s reach past the end of the recording (\(nwbFmt(recordingEnd)) s); use fewer --forward-bins or drop the trial")
        }
        let behavior = timeline.unclampedRows(from: lo + lag, through: hi + lag - us)
        return NWBTrialBins(row: row, id: id, window: window, forward: forward, behavior: behavior, alignNs: alignNs)
    }

    /// The 1 ms frame length nlb_tools uses: the last `obs_intervals` end (rounded), or without
    /// obs_intervals the end of the last trial, spike or sample.
    static func frameMs(units: NWBSource.Units, trials: NWBSource.Trials, extraTimes: [Double], path: String) throws -> Int {
        let limit = 4_000_000_000.0   // ms (46 days)
        if let obs = units.obsIntervals {
            let ends = obs.compactMap { $0.last?.end }
            if let m = ends.max() {
                let v = (m * 1000).rounded(.toNearestOrEven)
                guard v.isFinite, v >= 1, v < limit else {
                    throw DataFileError(path: path, key: "units/obs_intervals", "the last observation interval ends at \(m) s; expected a positive time in seconds")
                }
                return Int(v)
            }
        }
        var last = trials.stop.max() ?? 0
        for t in units.spikeTimes { if let m = t.max() { last = max(last, m) } }
        if let m = extraTimes.max() { last = max(last, m) }
        let v = NWBTime.round6(last * 1000).rounded(.down) + 1
        guard v.isFinite, v >= 1, v < limit else {
            throw DataFileError(path: path, key: "intervals/trials/stop_time", "the recording would end at \(last) s; expected times in seconds")
        }
        return Int(v)
    }

    /// Sorted 1 ms rows of every unit's spikes; every spike must fall inside the frame and at
    /// least one inside some trial.
    static func spikeRows(units: NWBSource.Units, trials: NWBSource.Trials, msCount: Int, path: String) throws -> [[Int]] {
        var out: [[Int]] = []
        var inside = 0, total = 0
        // trials sorted by start, with the running maximum of their stops: t is inside some
        // trial iff the latest trial starting at or before t has a running max stop above t
        let order = trials.start.indices.sorted { trials.start[$0] < trials.start[$1] }
        let starts = order.map { trials.start[$0] }
        var maxStop: [Double] = []
        for i in order { maxStop.append(max(maxStop.last ?? -.infinity, trials.stop[i])) }
        func insideTrial(_ t: Double) -> Bool {
            var lo = 0, hi = starts.count
            while lo < hi { let mid = (lo + hi) / 2; if starts[mid] <= t { lo = mid + 1 } else { hi = mid } }
            return lo > 0 && t < maxStop[lo - 1]
        }
        for (u, times) in units.spikeTimes.enumerated() {
            var rows: [Int] = []
            rows.reserveCapacity(times.count)
            for t in times {
                guard let r = NWBTime.spikeMs(t), r >= 0, r < msCount else {
                    throw DataFileError(path: path, key: "units/spike_times", "unit \(units.ids[u]): a spike at \(t) s lies outside the recording 0…\(nwbFmt(Double(msCount) / 1000)) s (obs_intervals); fix the spike times or obs_intervals")
                }
                rows.append(r)
                total += 1
                if inside == 0 && insideTrial(t) { inside += 1 }
            }
            out.append(rows.sorted())
        }
        if total > 0 && inside == 0 {
            throw DataFileError(path: path, key: "units/spike_times", "none of the \(total) spikes falls inside any trial (trials span \(nwbFmt(trials.start.min() ?? 0))…\(nwbFmt(trials.stop.max() ?? 0)) s); are spike_times and the trials table in the same clock and in seconds?")
        }
        return out
    }
}

func nwbFmt(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    return "\((x * 10000).rounded() / 10000)"
}
