import Foundation

/// What `NLBSynthWriter.write` produced.
public struct NLBSynthSummary: Sendable, Equatable {
    public var path: String
    public var trials: Int
    public var trainTrials: Int
    public var validTrials: Int
    public var testTrials: Int
    public var units: Int
    public var heldoutUnits: Int
    public var durationSeconds: Double
    /// Spikes per unit, NWB row order.
    public var spikeCounts: [Int]
    public var bytes: Int
}

/// Writes an `NLBSynthRecording` as an NWB 2.7 file in the Neural Latents Benchmark (mc_maze)
/// layout, readable by pynwb and nlb_tools' `NWBDataset`:
/// - `/units`: `spike_times` (+ `_index`), `obs_intervals` (+ `_index`, the whole session),
///   bool `heldout`, `id` 0…N−1;
/// - `/intervals/trials`: `start_time`, `stop_time`, `move_onset_time`, `trial_type`,
///   `trial_version`, `split` (`train`/`val`/`test`), `id` 0…T−1;
/// - `/processing/behavior/hand_vel`: [T_ms × 2] mm/s at 1 ms, with timestamps;
/// - `/processing/truth/condition` [T_ms × 1] at 1 ms: the active condition, −1 between trials;
/// - `/processing/truth/rates` [S × N] Hz and `/processing/truth/latents` [S × L], each
///   sample the mean over [t, t + truthBinMs), `starting_time` 0 and `rate` 1000/truthBinMs;
///   `rates` has `comments` "columns=[0,…,N−1]" (unit ids), without which nlb_tools cannot
///   load a series whose name contains "rates".
/// Identifier and object ids are UUIDs from the seed; session start and file creation dates
/// are fixed (2020-01-01T00:00:00+00:00), so the same config gives a byte-identical file.
public enum NLBSynthWriter {
    /// The fixed session start (and file creation) time written to every synthetic file.
    public static let sessionStart = "2020-01-01T00:00:00+00:00"

    /// Generates the recording for `config` and writes it atomically to `path`.
    @discardableResult
    public static func generate(_ config: NLBSynthConfig, to path: String) throws -> NLBSynthSummary {
        try write(try NLBSynthGenerator.generate(config), to: path)
    }

    /// Writes `recording` atomically (temp file + rename) to `path`.
    @discardableResult
    public static func write(_ recording: NLBSynthRecording, to path: String) throws -> NLBSynthSummary {
        try DataFileError.writingAtomically(path) { temp in
            let file = try HDF5File(path: temp, mode: .create)
            defer { file.close() }
            try writeContents(recording, into: file)
            try file.flush()
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return NLBSynthSummary(path: path, trials: recording.trials.count,
                               trainTrials: recording.trialCount(split: "train"),
                               validTrials: recording.trialCount(split: "val"),
                               testTrials: recording.trialCount(split: "test"),
                               units: recording.heldout.count, heldoutUnits: recording.heldout.filter { $0 }.count,
                               durationSeconds: Double(recording.durationMs) / 1000,
                               spikeCounts: recording.spikeCounts, bytes: bytes)
    }

    /// The NWB objects of `r`, in a fixed order (object ids are drawn in this order).
    static func writeContents(_ r: NLBSynthRecording, into file: HDF5File) throws {
        let c = r.config
        var nwb = NWBWriter(file: file, idSeed: c.seed ^ 0x4E57_425F_4E4C_4253)   // "NWB_NLBS"
        let identifier = nwb.uuid()
        try nwb.writeHeader(NWBFileHeader(
            identifier: identifier,
            sessionDescription: "Synthetic NLB mc_maze-like session (autolfads data synth nlb): \(c.latents.rawValue) latents, \(c.conditions) conditions, seed \(c.seed)",
            sessionStartTime: sessionStart))
        try file.writeString("general/notes", notes(c))
        try nwb.writeTable(unitsTable(r), at: "units")
        try nwb.writeTable(trialsTable(r), at: "intervals/trials")

        let gzip = c.gzip
        try nwb.writeProcessingModule("behavior", description: "Behavioural data (synthetic hand velocity)")
        try nwb.writeTimeSeries(NWBTimeSeries(
            description: "Hand velocity: linear read-out of the latents \(c.behaviorLagMs) ms earlier plus Gaussian noise",
            comments: "columns=[x,y]", unit: "mm/s", data: r.handVel, shape: [r.durationMs, 2],
            timing: .timestamps((0..<r.durationMs).map { Double($0) / 1000 }), gzip: gzip),
            at: "processing/behavior/hand_vel")
        let rate = 1000 / Double(c.truthBinMs)
        try nwb.writeProcessingModule("truth", description: "Ground truth of the synthetic session")
        try nwb.writeTimeSeries(NWBTimeSeries(
            description: "Condition whose latent path drives the rates at each ms (-1 between trials)",
            unit: "condition index", data: conditionTrace(r), shape: [r.durationMs, 1],
            timing: .regular(start: 0, rate: 1000), gzip: gzip), at: "processing/truth/condition")
        try nwb.writeTimeSeries(NWBTimeSeries(
            description: "True firing rates of all units (/units row order), mean over each \(c.truthBinMs) ms sample",
            comments: "columns=[\((0..<c.neurons).map(String.init).joined(separator: ","))]",   // nlb_tools needs names for a *rates* series
            unit: "Hz", data: r.truthRates, shape: [r.truthSamples, c.neurons],
            timing: .regular(start: 0, rate: rate), gzip: gzip), at: "processing/truth/rates")
        try nwb.writeTimeSeries(NWBTimeSeries(
            description: "True latent state (normalised \(c.latents.rawValue)), mean over each \(c.truthBinMs) ms sample",
            unit: "a.u.", data: r.truthLatents, shape: [r.truthSamples, c.latentDim],
            timing: .regular(start: 0, rate: rate), gzip: gzip), at: "processing/truth/latents")
    }

    /// −1 between trials, the trial's condition inside it, per ms. Besides being truth, this full
    /// 1 ms series is the first one nlb_tools finds when its PSTH code reloads the file without
    /// hand_vel; pandas then keeps the 1 ms index sorted when it joins the 5 ms truth series.
    static func conditionTrace(_ r: NLBSynthRecording) -> [Float] {
        var trace = [Float](repeating: -1, count: r.durationMs)
        for t in r.trials { for ms in t.startMs..<t.stopMs { trace[ms] = Float(t.condition) } }
        return trace
    }

    static func unitsTable(_ r: NLBSynthRecording) -> NWBTable {
        var ends: [Int] = [], end = 0
        for s in r.spikeTimes { end += s.count; ends.append(end) }
        let n = r.heldout.count
        let sessionEnd = Double(r.durationMs) / 1000
        return NWBTable(neurodataType: "Units", description: "Synthetic units: Poisson spikes from log-linear rates of the latents", ids: Array(0..<n), columns: [
            NWBColumn(name: "spike_times", description: "the spike times for each unit", values: .doubles(r.spikeTimes.flatMap { $0 }),
                      rowEnds: ends, doubleAttributes: ["resolution": 1e-4], gzip: r.config.gzip),
            NWBColumn(name: "obs_intervals", description: "the observation intervals for each unit",
                      values: .doubles(Array((0..<n).map { _ in [0, sessionEnd] }.joined())), elementShape: [2], rowEnds: Array(1...n)),
            NWBColumn(name: "heldout", description: "whether the unit is held out (not given to the model as input)", values: .bools(r.heldout)),
        ])
    }

    static func trialsTable(_ r: NLBSynthRecording) -> NWBTable {
        let t = r.trials, v = r.config.versionsPerType
        func seconds(_ ms: Int) -> Double { Double(ms) / 1000 }
        return NWBTable(neurodataType: "TimeIntervals", description: "experimental trials", ids: Array(0..<t.count), columns: [
            NWBColumn(name: "start_time", description: "Start time of epoch, in seconds", values: .doubles(t.map { seconds($0.startMs) })),
            NWBColumn(name: "stop_time", description: "Stop time of epoch, in seconds", values: .doubles(t.map { seconds($0.stopMs) })),
            NWBColumn(name: "move_onset_time", description: "Movement onset: the latent dynamics start here, in seconds",
                      values: .doubles(t.map { seconds($0.moveOnsetMs) })),
            NWBColumn(name: "trial_type", description: "Condition group: condition / \(v)", values: .ints(t.map { $0.condition / v })),
            NWBColumn(name: "trial_version", description: "Condition within the group: condition % \(v)", values: .ints(t.map { $0.condition % v })),
            NWBColumn(name: "split", description: "Data split: train, val or test", values: .strings(t.map(\.split))),
        ])
    }

    static func notes(_ c: NLBSynthConfig) -> String {
        "Synthetic recording. ln rate_Hz = z·W + ln(\(c.baseRateHz)), W ~ U(-1,1) scaled per unit to a log-rate s.d. of \(c.logRateSD) (|z·w| ≤ \(c.maxLogRateDeviation)), L = \(c.latentDim); "
            + "spikes ~ Poisson per 1 ms bin, times on a 0.1 ms grid. Latents z: the condition's initial point until "
            + "move_onset_time, then its path; 0 between trials. Truth in /processing/truth (rates in Hz, latents)."
    }
}
