import Foundation

/// An NWB 2.x file read for conversion: the `/units` table, the `/intervals/trials` table and the
/// TimeSeries named as nlb_tools names them. Series samples are read on demand with `data(of:)`.
/// The file is opened read-only and closed before each call returns.
public struct NWBSource: Sendable {
    /// One observation interval (seconds).
    public struct Interval: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public init(start: Double, end: Double) { self.start = start; self.end = end }
    }

    /// The units table, one entry per row (NWB row order).
    public struct Units: Sendable {
        /// `units/id`, or 0, 1, … when the file has none.
        public var ids: [Int]
        /// Spike times (s) per unit, as stored (not sorted).
        public var spikeTimes: [[Double]]
        /// `obs_intervals` per unit, nil when the table has no such column.
        public var obsIntervals: [[Interval]]?
        /// The `heldout` column, nil when absent.
        public var heldout: [Bool]?
        public var count: Int { ids.count }
    }

    /// A trials-table column other than `id`, `start_time` and `stop_time`.
    public enum Column: Sendable, Equatable {
        case numbers([Double])
        case strings([String])

        public var count: Int {
            switch self { case .numbers(let v): return v.count; case .strings(let v): return v.count }
        }
    }

    /// The trials table (`/intervals/trials`), rows in file order.
    public struct Trials: Sendable {
        public var ids: [Int]
        public var start: [Double]
        public var stop: [Double]
        /// Other 1-D columns (numbers, booleans as 0/1, strings); ragged columns are left out.
        public var columns: [String: Column]
        public var count: Int { ids.count }
    }

    /// How a series' sample times are given.
    public enum Timing: Sendable, Equatable {
        case timestamps
        case regular(start: Double, rate: Double)
    }

    /// A TimeSeries: `name` as nlb_tools names it (the group name, or `Container_name` for a
    /// series inside a container such as `Position`), `path` its HDF5 group.
    public struct Series: Sendable, Equatable {
        public var name: String
        public var path: String
        public var samples: Int
        public var channels: Int
        public var timing: Timing
    }

    /// The samples of a series: `times` (s) and `values` (samples × channels, row-major).
    public struct SeriesData: Sendable {
        public var times: [Double]
        public var values: [Double]
        public var channels: Int
    }

    public let path: String
    /// The root attribute `nwb_version`, if present.
    public let nwbVersion: String?
    /// Nil when the file has no `/units` table.
    public let units: Units?
    /// Nil when the file has no `/intervals/trials` table.
    public let trials: Trials?
    /// Every TimeSeries found under /acquisition, /processing/*, /analysis and /stimulus.
    public let series: [Series]

    /// Reads the tables and the series list of `path`. Throws `DataFileError` for unreadable
    /// files and inconsistent tables (ragged index not matching its data, non-monotonic index,
    /// columns of the wrong length).
    public init(path: String) throws {
        self.path = path
        let file = try HDF5File(path: path, mode: .readOnly)
        defer { file.close() }
        nwbVersion = file.nwbReadStringAttribute("nwb_version")
        units = try file.nwbReadIsGroup("units") ? NWBSource.readUnits(file) : nil
        trials = try file.nwbReadIsGroup("intervals/trials") ? NWBSource.readTrials(file) : nil
        series = try NWBSource.findSeries(file)
    }

    /// The series called `name` (nlb_tools name, or its HDF5 path such as
    /// `processing/behavior/hand_vel`). Throws naming the available series when unknown or ambiguous.
    public func series(named name: String, option: String) throws -> Series {
        let trimmed = name.hasPrefix("/") ? String(name.dropFirst()) : name
        if let s = series.first(where: { $0.path == trimmed }) { return s }
        let matches = series.filter { $0.name == trimmed }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw DataFileError(path: path, key: matches[0].path, "\(option) '\(name)' is ambiguous: \(matches.map(\.path).joined(separator: ", ")); give the HDF5 path instead")
        }
        let known = series.map(\.name).joined(separator: ", ")
        throw DataFileError(path: path, key: name, "\(option): no TimeSeries '\(name)' in the file; available: \(known.isEmpty ? "none" : known)")
    }

    /// Reads the samples and times of `series`.
    public func data(of series: Series) throws -> SeriesData {
        let file = try HDF5File(path: path, mode: .readOnly)
        defer { file.close() }
        let (values, shape) = try file.nwbReadDoubles(series.path + "/data")
        guard values.count == shape.reduce(1, *) else { throw DataFileError(path: path, key: series.path + "/data", "unreadable data") }
        return SeriesData(times: try times(of: series, in: file), values: values, channels: series.channels)
    }

    /// Reads only the sample times (s) of `series`.
    public func times(of series: Series) throws -> [Double] {
        let file = try HDF5File(path: path, mode: .readOnly)
        defer { file.close() }
        return try times(of: series, in: file)
    }

    private func times(of series: Series, in file: HDF5File) throws -> [Double] {
        switch series.timing {
        case .timestamps:
            let (t, tshape) = try file.nwbReadDoubles(series.path + "/timestamps")
            guard tshape.count == 1, t.count == series.samples else {
                throw DataFileError(path: path, key: series.path + "/timestamps", "has \(t.count) timestamps but data has \(series.samples) samples; fix the series")
            }
            return t
        case .regular(let start, let rate):
            return (0..<series.samples).map { Double($0) / rate + start }
        }
    }

    // MARK: - reading the tables

    private static func readUnits(_ file: HDF5File) throws -> Units {
        let p = file.path
        guard file.contains("units/spike_times") else {
            throw DataFileError(path: p, key: "units/spike_times", "missing: the units table has no spike times; convert a file with sorted units")
        }
        let spikes = try ragged(file, data: "units/spike_times", width: 1)
        let n = spikes.count
        var ids = Array(0..<n)
        if file.contains("units/id") {
            ids = try file.nwbReadInts("units/id")
            guard ids.count == n else {
                throw DataFileError(path: p, key: "units/id", "has \(ids.count) rows but spike_times_index has \(n); fix the units table")
            }
        }
        var obs: [[Interval]]?
        if file.contains("units/obs_intervals") {
            let rows = try ragged(file, data: "units/obs_intervals", width: 2)
            guard rows.count == n else {
                throw DataFileError(path: p, key: "units/obs_intervals_index", "has \(rows.count) rows but the units table has \(n); fix the units table")
            }
            obs = rows.map { r in stride(from: 0, to: r.count, by: 2).map { Interval(start: r[$0], end: r[$0 + 1]) } }
        }
        var heldout: [Bool]?
        if file.contains("units/heldout") {
            let h = try file.nwbReadBools("units/heldout")
            guard h.count == n else {
                throw DataFileError(path: p, key: "units/heldout", "has \(h.count) rows but the units table has \(n); fix the units table")
            }
            heldout = h
        }
        return Units(ids: ids, spikeTimes: spikes, obsIntervals: obs, heldout: heldout)
    }

    /// Splits a ragged `VectorData` by its `VectorIndex` (`<data>_index`: end offset per row, in
    /// rows of `width` values). The index must be non-decreasing and end at the data length.
    private static func ragged(_ file: HDF5File, data key: String, width: Int) throws -> [[Double]] {
        let p = file.path
        let indexKey = key + "_index"
        guard file.contains(indexKey) else {
            throw DataFileError(path: p, key: indexKey, "missing: '\(key)' is ragged and needs its VectorIndex; rewrite the file with pynwb")
        }
        let (values, shape) = try file.nwbReadDoubles(key)
        let rows = shape.first ?? 0
        guard (width == 1 && shape.count == 1) || (shape.count == 2 && shape[1] == width) || (rows == 0) else {
            throw DataFileError(path: p, key: key, "expected \(width == 1 ? "a 1-D array" : "rows of \(width) values") but found shape \(shape)")
        }
        let index = try file.nwbReadInts(indexKey)
        var out: [[Double]] = []
        out.reserveCapacity(index.count)
        var previous = 0
        for (row, end) in index.enumerated() {
            guard end >= previous else {
                throw DataFileError(path: p, key: indexKey, "is not monotonic: row \(row) ends at \(end) before row \(row - 1) (\(previous)); the index is corrupt, rewrite the file")
            }
            guard end <= rows else {
                throw DataFileError(path: p, key: indexKey, "row \(row) ends at \(end) but '\(key)' has only \(rows) rows; the index does not match its data, rewrite the file")
            }
            out.append(Array(values[(previous * width)..<(end * width)]))
            previous = end
        }
        guard previous == rows else {
            throw DataFileError(path: p, key: indexKey, "ends at \(previous) but '\(key)' has \(rows) rows; the index does not match its data, rewrite the file")
        }
        return out
    }

    private static func readTrials(_ file: HDF5File) throws -> Trials {
        let p = file.path, g = "intervals/trials"
        for k in ["start_time", "stop_time"] where !file.contains("\(g)/\(k)") {
            throw DataFileError(path: p, key: "\(g)/\(k)", "missing: the trials table needs start_time and stop_time")
        }
        let start = try oneD(file, "\(g)/start_time")
        let stop = try oneD(file, "\(g)/stop_time")
        guard start.count == stop.count else {
            throw DataFileError(path: p, key: "\(g)/stop_time", "has \(stop.count) rows but start_time has \(start.count); fix the trials table")
        }
        let n = start.count
        for (i, (a, b)) in zip(start, stop).enumerated() where !(a.isFinite && b.isFinite && b >= a) {
            throw DataFileError(path: p, key: "\(g)/start_time", "trial row \(i): start \(a) s, stop \(b) s is not a valid interval; fix the trials table")
        }
        var ids = Array(0..<n)
        if file.contains("\(g)/id") {
            ids = try file.nwbReadInts("\(g)/id")
            guard ids.count == n else { throw DataFileError(path: p, key: "\(g)/id", "has \(ids.count) rows but the table has \(n)") }
        }
        var columns: [String: Column] = [:]
        let names = try file.nwbReadChildren(of: g).datasets
        for name in names where !["id", "start_time", "stop_time"].contains(name) && !name.hasSuffix("_index") && !names.contains(name + "_index") {
            let key = "\(g)/\(name)"
            let column: Column
            switch try file.nwbReadClass(key) {
            case .integer, .float, .enumeration:
                let (v, shape) = try file.nwbReadDoubles(key)
                guard shape.count == 1 else { continue }
                column = .numbers(v)
            case .string:
                guard try file.info(key).shape.count == 1 else { continue }
                column = .strings(try file.nwbReadStrings(key))
            case .other: continue
            }
            guard column.count == n else {
                throw DataFileError(path: p, key: key, "has \(column.count) rows but the trials table has \(n); fix the trials table")
            }
            columns[name] = column
        }
        return Trials(ids: ids, start: start, stop: stop, columns: columns)
    }

    private static func oneD(_ file: HDF5File, _ key: String) throws -> [Double] {
        let (v, shape) = try file.nwbReadDoubles(key)
        guard shape.count == 1 else { throw DataFileError(path: file.path, key: key, "expected a 1-D column but found shape \(shape)") }
        return v
    }

    // MARK: - finding series

    private static func findSeries(_ file: HDF5File) throws -> [Series] {
        var tops = ["acquisition", "analysis", "stimulus/presentation", "stimulus/templates"]
        tops += try file.nwbReadChildren(of: "processing").groups.map { "processing/\($0)" }
        var out: [Series] = []
        for top in tops where file.nwbReadIsGroup(top) {
            for child in try file.nwbReadChildren(of: top).groups {
                let g = "\(top)/\(child)"
                if let s = try timeSeries(file, g, name: child) { out.append(s); continue }
                for inner in try file.nwbReadChildren(of: g).groups {
                    if let s = try timeSeries(file, "\(g)/\(inner)", name: "\(child)_\(inner)") { out.append(s) }
                }
            }
        }
        return out
    }

    /// The series at group `g`, or nil when `g` is not a numeric TimeSeries of rank 1 or 2.
    private static func timeSeries(_ file: HDF5File, _ g: String, name: String) throws -> Series? {
        guard file.contains("\(g)/data") else { return nil }
        let hasStamps = file.contains("\(g)/timestamps"), hasStart = file.contains("\(g)/starting_time")
        guard hasStamps || hasStart else { return nil }
        let cls = try file.nwbReadClass("\(g)/data")
        guard cls == .integer || cls == .float else { return nil }
        let shape = try file.info("\(g)/data").shape
        guard shape.count == 1 || shape.count == 2 else { return nil }
        let timing: Timing
        if hasStamps {
            timing = .timestamps
        } else {
            let start = try file.readScalar("\(g)/starting_time")
            guard let rate = try file.nwbReadNumericAttribute("rate", of: "\(g)/starting_time"), rate > 0, rate.isFinite, start.isFinite else {
                throw DataFileError(path: file.path, key: "\(g)/starting_time", "needs a positive 'rate' attribute (Hz) and a finite value; fix the series")
            }
            timing = .regular(start: start, rate: rate)
        }
        return Series(name: name, path: g, samples: shape[0], channels: shape.count == 2 ? shape[1] : 1, timing: timing)
    }
}
