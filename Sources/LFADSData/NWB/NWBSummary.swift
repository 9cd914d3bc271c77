import Foundation

/// A human-readable report on an NWB file, as printed by `autolfads data inspect FILE.nwb`:
/// units (held-in / held-out), spikes and mean firing rate, trials and their columns, splits,
/// and every TimeSeries with its shape and sampling rate.
public struct NWBSummary: Sendable {
    public var lines: [String]

    /// True if `path` looks like an NWB file: a `.nwb` extension, or an HDF5 file whose root
    /// has the `nwb_version` attribute.
    public static func isNWB(path: String) -> Bool {
        if path.lowercased().hasSuffix(".nwb") { return true }
        guard FileManager.default.fileExists(atPath: path), let file = try? HDF5File(path: path, mode: .readOnly) else { return false }
        defer { file.close() }
        return file.nwbReadStringAttribute("nwb_version") != nil
    }

    /// Reads `path` (read-only) and summarises it. Throws `DataFileError` for unreadable files
    /// and inconsistent tables.
    public init(path: String) throws {
        let s = try NWBSource(path: path)
        var out = ["file: \(path)", "format: NWB \(s.nwbVersion ?? "(no nwb_version attribute)")"]
        if let u = s.units {
            let spikes = u.spikeTimes.reduce(0) { $0 + $1.count }
            let held = u.heldout.map { h in "held-in \(h.filter { !$0 }.count), held-out \(h.filter { $0 }.count) ('heldout' column)" } ?? "no 'heldout' column (all held in)"
            out.append("units: \(u.count) (\(held)), \(spikes) spikes")
            let rates = (0..<u.count).map { i -> Double in
                let observed = u.obsIntervals.map { $0[i].reduce(0) { $0 + max(0, $1.end - $1.start) } }
                    ?? max(s.trials?.stop.max() ?? 0, u.spikeTimes[i].max() ?? 0)
                return observed > 0 ? Double(u.spikeTimes[i].count) / observed : .nan
            }.filter { $0.isFinite }
            if !rates.isEmpty {
                let mean = rates.reduce(0, +) / Double(rates.count)
                out.append("mean firing rate: \(nwbFmt(mean)) Hz per unit (\(nwbFmt(rates.min()!))…\(nwbFmt(rates.max()!)) Hz, over \(u.obsIntervals == nil ? "0 … last trial/spike" : "obs_intervals"))")
            }
            if let obs = u.obsIntervals, let first = obs.first {
                let end = obs.compactMap { $0.last?.end }.max() ?? 0
                out.append("recording: 0…\(nwbFmt(end)) s (obs_intervals; \(first.count) interval\(first.count == 1 ? "" : "s") for the first unit)")
            }
        } else {
            out.append("units: none (no /units table; from-nwb needs spike-sorted units)")
        }
        if let t = s.trials {
            let durations = zip(t.start, t.stop).map { $1 - $0 }
            out.append("trials: \(t.count), \(nwbFmt(t.start.min() ?? 0))…\(nwbFmt(t.stop.max() ?? 0)) s, duration \(nwbFmt(durations.min() ?? 0))…\(nwbFmt(durations.max() ?? 0)) s")
            for name in t.columns.keys.sorted() {
                switch t.columns[name]! {
                case .numbers(let v):
                    let distinct = Set(v.filter { !$0.isNaN }).count, nan = v.filter(\.isNaN).count
                    out.append("  \(name): numbers, \(distinct) distinct\(nan > 0 ? ", \(nan) NaN" : "")")
                case .strings(let v):
                    out.append("  \(name): strings, \(Set(v).count) distinct")
                }
            }
            if case .strings(let v)? = t.columns["split"] {
                var counts: [String: Int] = [:]
                for x in v { counts[x, default: 0] += 1 }
                out.append("splits: " + counts.keys.sorted().map { "\($0) \(counts[$0]!)" }.joined(separator: ", "))
            } else {
                out.append("splits: no 'split' column (from-nwb picks validation trials with --valid-fraction)")
            }
        } else {
            out.append("trials: none (no /intervals/trials table)")
        }
        out.append(s.series.isEmpty ? "series: none" : "series:")
        for series in s.series {
            let rate: String
            switch series.timing {
            case .regular(let start, let r): rate = "\(nwbFmt(r)) Hz from \(nwbFmt(start)) s"
            case .timestamps:
                let times = (try? s.times(of: series)) ?? []
                if times.count >= 2, let first = times.first, let last = times.last, last > first {
                    rate = "timestamps, ≈\(nwbFmt(Double(times.count - 1) / (last - first))) Hz, \(nwbFmt(first))…\(nwbFmt(last)) s"
                } else {
                    rate = "timestamps"
                }
            }
            out.append("  \(series.name): \(series.path) [\(series.samples)×\(series.channels)], \(rate)")
        }
        lines = out
    }
}
