import Foundation

/// An NWB file converted to the lfads-torch convention (see docs: the from-nwb contract).
public struct NWBConversion: Sendable {
    /// Root attributes written with the dataset.
    public struct Attributes: Sendable, Equatable {
        public var sourceFile: String
        public var binMs: Double
        /// "" = aligned to the trial start.
        public var alignField: String
        /// "START:END", or "start_time:stop_time" for whole trials.
        public var windowMs: String
        public var forwardBins: Int
        public var heldinUnits: [Int]
        public var heldoutUnits: [Int]
        public var behaviorNames: [String]
        public var behaviorLagMs: Double
        public var conditionFields: [String]
    }

    public var dataset: LFADSDataset
    public var attributes: Attributes
    /// Window bins T (whole trials: the longest trial).
    public var windowBins: Int
    /// PSTH conditions (0 without `conditionFields`).
    public var conditionCount: Int
    /// Trials whose `split` value is none of train / val / test (left out).
    public var skippedTrials: Int
    /// HDF5 paths of the ground-truth series used, if any.
    public var truthRatesSeries: String?
    public var truthLatentsSeries: String?
}

/// `autolfads data from-nwb`: bins an NWB 2.x file (units, trials, TimeSeries) bin for bin as
/// nlb_tools' `NWBDataset` + `make_*_tensors` do, into the lfads-torch convention. Differences
/// from nlb_tools (documented): windows reaching into the next trial are not shortened, a window
/// leaving the recording is an error, behaviour outside the recording is NaN at its true bins.
public enum NWBConverter {
    public static let converterName = "autolfads data from-nwb"

    /// Converts `path` (opened read-only). Throws `DataFileError` (naming the file, the key and
    /// the fix) for bad input and `NWBOptionError` for bad options.
    public static func convert(_ path: String, options: NWBConversionOptions = .init()) throws -> NWBConversion {
        let factor = try options.validatedFactor()
        let source = try NWBSource(path: path)
        guard let units = source.units, units.count > 0 else {
            throw DataFileError(path: path, key: "units", "missing: the file has no /units table with spike times (or it is empty); from-nwb needs spike-sorted units")
        }
        guard let trials = source.trials, trials.count > 0 else {
            throw DataFileError(path: path, key: "intervals/trials", "missing: the file has no trials table (or it is empty); from-nwb cuts trials out of /intervals/trials")
        }
        let (heldIn, heldOut) = try NWBTrialPlan.selectUnits(units, options.heldOut, seed: options.seed, path: path)
        let channelUnits = heldIn + heldOut

        // series: behaviour and truth
        let behaviorNames = options.behavior.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
        let behaviorSeries = try behaviorNames.map { try source.series(named: $0, option: "--behavior") }
        let ratesSeries = try truthSeries(options.truthRates, defaultName: "rates", option: "--truth-rates", source)
        let latentSeries = try truthSeries(options.truthLatents, defaultName: "latents", option: "--truth-latents", source)
        let behaviorData = try behaviorSeries.map { try source.data(of: $0) }
        if let r = ratesSeries, r.channels != units.count {
            throw DataFileError(path: path, key: r.path + "/data", "--truth-rates: has \(r.channels) channels but the units table has \(units.count) units; truth rates need one channel per unit in table order")
        }

        let extraTimes = behaviorData.compactMap { $0.times.last }
        let msCount = try NWBTrialPlan.frameMs(units: units, trials: trials, extraTimes: extraTimes, path: path)
        let timeline = NWBTimeline(msCount: msCount, factor: factor)
        let raster = NWBSpikeRaster(timeline: timeline, spikeMs: try NWBTrialPlan.spikeRows(units: units, trials: trials, msCount: msCount, path: path))
        func mask(_ group: [Int]) -> NWBObservedMask {
            guard let first = group.first, let obs = units.obsIntervals else { return NWBObservedMask(msCount: msCount) }
            return NWBObservedMask(intervals: obs[first], msCount: msCount)
        }
        let inMask = mask(heldIn), outMask = mask(heldOut)
        let channelMasks = heldIn.map { _ in inMask } + heldOut.map { _ in outMask }

        // trials: splits and windows
        let split = try NWBTrialPlan.splits(trials, validFraction: options.validFraction, seed: options.seed, path: path)
        let events = try NWBTrialPlan.eventTimes(trials, field: options.alignField, path: path)
        let fixedT = options.window.map { ($0.endMs - $0.startMs) / factor }
        var bins: [Int: NWBTrialBins] = [:]
        for row in 0..<trials.count where split[row] != nil {
            bins[row] = try NWBTrialPlan.bins(row: row, trials: trials, event: events[row], alignField: options.alignField,
                                              options: options, timeline: timeline, windowBins: fixedT, path: path)
        }
        let T = fixedT ?? (bins.values.map(\.window.count).max() ?? 0)
        guard T > 0 else {
            throw DataFileError(path: path, key: "intervals/trials/stop_time", "every trial is shorter than one \(factor) ms bin; use a smaller --bin-ms")
        }

        let used = bins.count, width = T + options.forwardBins
        let (perTrial, o1) = width.multipliedReportingOverflow(by: max(units.count, 1))
        let (total, o2) = perTrial.multipliedReportingOverflow(by: max(used, 1))
        guard !o1, !o2, total <= NWBLimits.maxOutputValues else {
            throw DataFileError(path: path, key: "intervals/trials", "the output would hold \(o1 || o2 ? "more than \(Int.max)" : "\(total)") values per array (\(used) trials × \(width) bins × \(units.count) units); use a shorter --window or larger --bin-ms")
        }

        // continuous signals
        let behaviors = try zip(behaviorSeries, behaviorData).map { s, d in
            NWBContinuous(timeline: timeline, sampleMs: try gridRows(d, s, timeline, path), values: d.values, channels: d.channels)
        }
        let filter = factor > 1 ? NWBContinuous.decimationFilter(factor) : []
        let binSeconds = Double(factor) / 1000
        func average(_ s: NWBSource.Series) throws -> NWBBinAverage {
            let d = try source.data(of: s)
            return NWBBinAverage(timeline: timeline, sampleMs: try sampleRows(d, s, path), values: d.values, channels: s.channels)
        }
        let rates = try ratesSeries.map(average), latents = try latentSeries.map(average)

        // PSTH over train + valid trials
        var psth: NWBPSTH.Result?
        if !options.conditionFields.isEmpty {
            let values = try conditionValues(trials, options.conditionFields, path)
            let eligible = bins.values.filter { split[$0.row] == .train || split[$0.row] == .valid }.sorted { $0.row < $1.row }
            psth = NWBPSTH.compute(trials: eligible.map { NWBPSTHTrial(row: $0.row, bins: $0.window, alignNs: $0.alignNs, condition: values[$0.row]) },
                                   raster: raster, units: channelUnits, masks: channelMasks,
                                   kernel: NWBGaussianKernel(sdMs: options.psthKernelMs))
            // test trials: the condition of their value combination, if it has a PSTH
            for b in bins.values where split[b.row] == .test {
                if let c = psth?.combinations.firstIndex(of: values[b.row]) { psth?.conditionOfRow[b.row] = c }
            }
        }

        // assemble the splits
        let F = options.forwardBins, nAll = channelUnits.count
        let assembler = NWBSplitAssembler(raster: raster, channelUnits: channelUnits, heldInCount: heldIn.count,
                                          masks: channelMasks, behaviors: behaviors, filter: filter, rates: rates,
                                          latents: latents, binSeconds: binSeconds, windowBins: T, forwardBins: F)
        var splits: [LFADSSplitName: LFADSSplit] = [:]
        var extras: [String: HDF5Array] = [:]
        for name in LFADSSplitName.allCases {
            let members = (0..<trials.count).filter { split[$0] == name }.compactMap { bins[$0] }
            if members.isEmpty { continue }
            let s = name.rawValue
            splits[name] = assembler.split(members, withRecon: name != .test)
            if let beh = assembler.behavior(members) { extras["\(s)_behavior"] = beh }
            if let p = psth {
                extras["\(s)_conds"] = HDF5Array(shape: [members.count], dtype: .int64, values: members.map { Double(p.conditionOfRow[$0.row] ?? -1) })
            }
        }
        var conditionCount = 0
        if let p = psth {
            conditionCount = p.psth.count
            var values = [Double](repeating: .nan, count: p.psth.count * T * nAll)
            for (c, rows) in p.psth.enumerated() {
                for t in 0..<min(p.lengths[c], T) { for ch in 0..<nAll { values[(c * T + t) * nAll + ch] = rows[t * nAll + ch] } }
            }
            extras["psth"] = HDF5Array(shape: [p.psth.count, T, nAll], dtype: .float32, values: values)
        }

        let attributes = NWBConversion.Attributes(
            sourceFile: path, binMs: Double(factor), alignField: options.alignField ?? "",
            windowMs: options.window?.description ?? "start_time:stop_time", forwardBins: F,
            heldinUnits: heldIn.map { units.ids[$0] }, heldoutUnits: heldOut.map { units.ids[$0] },
            behaviorNames: behaviorNames, behaviorLagMs: Double(options.behaviorLagMs),
            conditionFields: options.conditionFields)
        return NWBConversion(dataset: LFADSDataset(convention: .lfadsTorch, splits: splits, countsDType: .float32, extras: extras),
                             attributes: attributes, windowBins: T, conditionCount: conditionCount,
                             skippedTrials: split.filter { $0 == nil }.count,
                             truthRatesSeries: ratesSeries?.path, truthLatentsSeries: latentSeries?.path)
    }

    /// Writes `conversion` to `out` atomically (temp file + rename), with the root attributes.
    public static func write(_ conversion: NWBConversion, to out: String, gzip: Int? = 4) throws {
        let a = conversion.attributes
        try checkOutput(out, input: a.sourceFile)
        try DataFileError.writingAtomically(out) { temp in
            let file = try HDF5File(path: temp, mode: .create)
            defer { file.close() }
            try LFADSWriter.writeContents(conversion.dataset, into: file, gzip: gzip)
            try file.writeStringAttribute("source_file", a.sourceFile)
            try file.writeAttribute("bin_ms", double: a.binMs)
            try file.writeStringAttribute("align_field", a.alignField)
            try file.writeStringAttribute("window_ms", a.windowMs)
            try file.writeAttribute("forward_bins", int: a.forwardBins)
            try file.writeAttribute("heldin_units", ints: a.heldinUnits)
            try file.writeAttribute("heldout_units", ints: a.heldoutUnits)
            try file.writeStringAttribute("behavior_names", a.behaviorNames.joined(separator: ","))
            try file.writeAttribute("behavior_lag_ms", double: a.behaviorLagMs)
            try file.writeStringAttribute("condition_fields", a.conditionFields.joined(separator: ","))
            try file.writeStringAttribute("nwb_converter", converterName)
            try file.flush()
        }
    }

    /// Converts `path` and writes the result to `out`.
    @discardableResult
    public static func convert(_ path: String, to out: String, options: NWBConversionOptions = .init(), gzip: Int? = 4) throws -> NWBConversion {
        try checkOutput(out, input: path)
        let c = try convert(path, options: options)
        try write(c, to: out, gzip: gzip)
        return c
    }

    private static func checkOutput(_ out: String, input: String) throws {
        let a = URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path
        let b = URL(fileURLWithPath: out).standardizedFileURL.resolvingSymlinksInPath().path
        guard a != b else { throw DataFileError(path: out, "--out is the input NWB file; choose another output path") }
    }

    // MARK: - helpers

    private static func truthSeries(_ choice: NWBConversionOptions.SeriesChoice, defaultName: String, option: String,
                                    _ source: NWBSource) throws -> NWBSource.Series? {
        switch choice {
        case .none: return nil
        case .named(let n): return try source.series(named: n, option: option)
        case .automatic: return source.series.first { $0.path == "processing/truth/\(defaultName)" }
        }
    }

    /// 1 ms rows of a behaviour series: every timestamp must be a row label of the 1 ms frame
    /// (as nlb_tools joins series to it), strictly increasing.
    private static func gridRows(_ d: NWBSource.SeriesData, _ s: NWBSource.Series, _ timeline: NWBTimeline, _ path: String) throws -> [Int] {
        var rows: [Int] = []
        rows.reserveCapacity(d.times.count)
        for t in d.times {
            guard let ns = NWBTime.nanoseconds(t) else {
                throw DataFileError(path: path, key: timeKey(s), "has a non-finite sample time; fix the series")
            }
            let r = Int((Double(ns) / 1e6).rounded())
            guard r >= 0, r < timeline.msCount, NWBTime.labelNs(ms: r) == ns else {
                throw DataFileError(path: path, key: timeKey(s), "sample at \(t) s is not on the 1 ms grid of the recording (0…\(nwbFmt(Double(timeline.msCount) / 1000)) s); resample '\(s.name)' to 1 ms timestamps inside the recording")
            }
            if let last = rows.last, r <= last {
                throw DataFileError(path: path, key: timeKey(s), "timestamps are not strictly increasing (at \(t) s); sort the series")
            }
            rows.append(r)
        }
        return rows
    }

    /// 1 ms rows (spike rule) of a truth series' samples, non-decreasing.
    private static func sampleRows(_ d: NWBSource.SeriesData, _ s: NWBSource.Series, _ path: String) throws -> [Int] {
        var rows: [Int] = []
        for t in d.times {
            guard let r = NWBTime.spikeMs(t) else { throw DataFileError(path: path, key: timeKey(s), "has a non-finite sample time; fix the series") }
            if let last = rows.last, r < last {
                throw DataFileError(path: path, key: timeKey(s), "sample times are not increasing (at \(t) s); sort the series")
            }
            rows.append(r)
        }
        return rows
    }

    private static func timeKey(_ s: NWBSource.Series) -> String {
        if case .timestamps = s.timing { return s.path + "/timestamps" }
        return s.path + "/starting_time"
    }

    private static func conditionValues(_ trials: NWBSource.Trials, _ fields: [String], _ path: String) throws -> [[NWBConditionValue]] {
        var columns: [NWBSource.Column] = []
        for f in fields {
            guard let c = trials.columns[f] else {
                throw DataFileError(path: path, key: "intervals/trials/\(f)", "--condition: no such trials column; available: \(trials.columns.keys.sorted().joined(separator: ", "))")
            }
            columns.append(c)
        }
        return (0..<trials.count).map { row in
            columns.map { c -> NWBConditionValue in
                switch c {
                case .numbers(let v): return .number(v[row])
                case .strings(let v): return .string(v[row])
                }
            }
        }
    }
}
