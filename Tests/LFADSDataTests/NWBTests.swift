import Foundation
import Testing
import TestSupport
@testable import LFADSData

/// The nlb_tools venv python (`AUTOLFADS_NLB_PYTHON`, else `<repo>/.venv-nlb/bin/python`) and
/// `nwb_check.py`, run with `TestProcess`.
enum NWBPython {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("nwb_check.py").path
    static var python: String {
        ProcessInfo.processInfo.environment["AUTOLFADS_NLB_PYTHON"] ?? repoRoot + "/.venv-nlb/bin/python"
    }

    /// Runs `executable args` (killed after `timeout` s) with `TestProcess`, which passes the child no
    /// descriptor above 2 (an inherited descriptor of an HDF5 file another test is writing keeps HDF5's
    /// file lock alive while the child runs); returns (status, stdout, stderr), nil if it could not start.
    /// Blocking: `fixture` below is a static initialiser.
    static func run(_ executable: String, _ args: [String], timeout: Double = 300) -> (status: Int32, out: String, err: String)? {
        guard let p = try? TestProcess(executable, args) else { return nil }
        let r = p.waitBlocking(seconds: timeout)
        if r.timedOut { return (-1, r.stdout, "\(executable) \(args.joined(separator: " ")): killed after \(Int(timeout)) s\n" + r.stderr) }
        return (r.status, r.stdout, r.stderr)
    }

    /// Runs `nwb_check.py args`; records a failure (never a silent pass) and returns nil when the
    /// venv is missing or the script fails.
    static func check(_ args: [String]) -> String? {
        guard FileManager.default.isExecutableFile(atPath: python), let r = run(python, [script] + args) else {
            Issue.record("the nlb_tools venv python \(python) is missing: run scripts/deps --test (or set AUTOLFADS_NLB_PYTHON)")
            return nil
        }
        guard r.status == 0 else {
            if r.err.contains("No module named") {
                Issue.record("\(python) cannot import pynwb/nlb_tools: run scripts/deps --test (\(r.err.split(separator: "\n").last ?? ""))")
            } else {
                Issue.record("nwb_check.py \(args.joined(separator: " ")) failed: \(r.err.suffix(2000))")
            }
            return nil
        }
        return r.out
    }

    /// One pynwb-written NLB-like file shared by the tests (written once).
    static let fixture: String? = {
        let dir = NSTemporaryDirectory() + "nwbtests-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/mc_maze_like.nwb"
        guard FileManager.default.isExecutableFile(atPath: python),
              let r = run(python, [script, "write", path, "--seed", "7"]), r.status == 0 else { return nil }
        return path
    }()

    static func fixtureOrRecord() -> String? {
        if let f = fixture { return f }
        _ = check(["write", NSTemporaryDirectory() + "nwb-probe-\(UUID().uuidString).nwb"])   // records why
        return nil
    }
}

@Suite("NWB conversion")
struct NWBTests {
    // MARK: - bin for bin against nlb_tools

    struct Setting {
        var bin: Int, window: (Int, Int), forward: Int, lag: Int, kern: Int
    }

    @Test("5 ms bins with forward bins and lag equal nlb_tools")
    func matchesNLBToolsAt5ms() throws {
        try compareWithNLB(Setting(bin: 5, window: (-250, 450), forward: 8, lag: 100, kern: 50), viaBinary: false)
    }

    @Test("20 ms bins without forward bins equal nlb_tools (built binary)")
    func matchesNLBToolsAt20ms() throws {
        try compareWithNLB(Setting(bin: 20, window: (-200, 400), forward: 0, lag: 0, kern: 30), viaBinary: true)
    }

    private func options(_ s: Setting) -> NWBConversionOptions {
        var o = NWBConversionOptions()
        o.binMs = Double(s.bin)
        o.alignField = "move_onset_time"
        o.window = .init(startMs: s.window.0, endMs: s.window.1)
        o.forwardBins = s.forward
        o.behavior = ["hand_vel", "cursor_pos"]
        o.behaviorLagMs = s.lag
        o.conditionFields = ["trial_type", "trial_version"]
        o.psthKernelMs = Double(s.kern)
        return o
    }

    private func compareWithNLB(_ s: Setting, viaBinary: Bool) throws {
        guard let nwb = NWBPython.fixtureOrRecord() else { return }
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ref = dir + "/ref.h5"
        let fpLen = s.forward > 0 ? s.forward * s.bin : 2 * s.bin
        guard NWBPython.check(["reference", nwb, ref, "--bin", "\(s.bin)", "--window=\(s.window.0):\(s.window.1)",
                               "--fp-len", "\(fpLen)", "--lag", "\(s.lag)", "--kern-sd", "\(s.kern)"]) != nil else { return }
        let conversion = try NWBConverter.convert(nwb, options: options(s))
        let out = dir + "/lfads.h5"
        try NWBConverter.write(conversion, to: out)
        let d = try LFADSReader.readUnvalidated(out)
        let r = try HDF5File(path: ref)
        defer { r.close() }
        func refArray(_ k: String) throws -> Array3D {
            let (v, shape) = try r.readFloats(k)
            return Array3D(trials: shape[0], time: shape[1], channels: shape[2], values: v)
        }
        let T = (s.window.1 - s.window.0) / s.bin, F = s.forward
        #expect(conversion.windowBins == T)
        #expect(conversion.attributes.heldinUnits == [0, 1, 3, 4, 6, 7, 9, 10])
        #expect(conversion.attributes.heldoutUnits == [2, 5, 8, 11])

        for (name, key) in [(LFADSSplitName.train, "train"), (.valid, "valid"), (.test, "test")] {
            let split = try #require(d.splits[name])
            #expect(split.inds == (try r.readInts("\(key)_inds").values))
            let heldin = try refArray("\(key)_heldin")
            expectExact(split.encod, heldin, "\(key) encod")
            if name != .test {
                let recon = try #require(split.recon)
                #expect(recon.shape == [heldin.trials, T + F, 12])
                expectExact(slice(recon, 0..<T, 0..<8), heldin, "\(key) recon held-in")
                expectExact(slice(recon, 0..<T, 8..<12), try refArray("\(key)_heldout"), "\(key) recon held-out")
                if F > 0 {
                    expectExact(slice(recon, T..<(T + F), 0..<8), try refArray("\(key)_heldin_forward"), "\(key) forward held-in")
                    expectExact(slice(recon, T..<(T + F), 8..<12), try refArray("\(key)_heldout_forward"), "\(key) forward held-out")
                }
                #expect(d.extras["\(key)_conds"]?.values.map { Int($0) } == (try r.readInts("\(key)_conds").values))
            }
            let beh = try #require(d.extras["\(key)_behavior"])
            #expect(beh.shape == [heldin.trials, T, 4])
            let behavior = Array3D(trials: beh.shape[0], time: T, channels: 4, values: beh.values.map(Float.init))
            expectClose(slice(behavior, 0..<T, 0..<2).values.map(Double.init), try refArray("\(key)_behavior").values.map(Double.init), "\(key) hand_vel")
            expectClose(slice(behavior, 0..<T, 2..<4).values.map(Double.init), try refArray("\(key)_cursor").values.map(Double.init), "\(key) cursor_pos")
            let truth = try #require(split.truth)
            let refTruth = try refArray("\(key)_truth")
            expectClose(truth.values.map(Double.init), slice(refTruth, 0..<(T + F), 0..<12).values.map(Double.init), "\(key) truth")
            #expect(split.latents?.shape == [heldin.trials, T + F, 3])
        }
        #expect(d.test?.recon == nil)
        let psth = try #require(d.extras["psth"])
        let (refPsth, psthShape) = try r.readDoubles("psth")
        #expect(psth.shape == psthShape)
        expectClose(psth.values, refPsth, "psth")

        if viaBinary { try checkBinary(nwb, s, against: out, dir: dir) }
    }

    /// The built `autolfads data from-nwb` writes the same file, with the contract's attributes.
    private func checkBinary(_ nwb: String, _ s: Setting, against library: String, dir: String) throws {
        let exe = NWBPython.repoRoot + "/.build/debug/autolfads"
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            Issue.record("\(exe) is not built; run swift build --build-tests first"); return
        }
        let out = dir + "/cli.h5"
        let args = ["data", "from-nwb", nwb, "--out", out, "--bin-ms", "\(s.bin)", "--align", "move_onset_time",
                    "--window", "\(s.window.0):\(s.window.1)", "--behavior", "hand_vel", "cursor_pos", "--behavior-lag", "\(s.lag)",
                    "--condition", "trial_type", "trial_version", "--psth-kern-ms", "\(s.kern)", "--forward-bins", "\(s.forward)"]
        let r = try #require(NWBPython.run(exe, args))
        #expect(r.status == 0, "from-nwb failed: \(r.err)")
        #expect(r.out.contains("wrote \(out)"))
        try expectSameDatasets(out, library)
        guard let json = NWBPython.check(["attrs", out]),
              let attrs = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return }
        #expect(attrs["source_file"] as? String == nwb)
        #expect(attrs["bin_ms"] as? Double == Double(s.bin))
        #expect(attrs["align_field"] as? String == "move_onset_time")
        #expect(attrs["window_ms"] as? String == "\(s.window.0):\(s.window.1)")
        #expect(attrs["forward_bins"] as? Int == s.forward)
        #expect(attrs["heldin_units"] as? [Int] == [0, 1, 3, 4, 6, 7, 9, 10])
        #expect(attrs["heldout_units"] as? [Int] == [2, 5, 8, 11])
        #expect(attrs["behavior_names"] as? String == "hand_vel,cursor_pos")
        #expect(attrs["behavior_lag_ms"] as? Double == Double(s.lag))
        #expect(attrs["condition_fields"] as? String == "trial_type,trial_version")
        #expect(attrs["nwb_converter"] as? String == "autolfads data from-nwb")

        // bad input: one line naming the key, non-zero exit
        let bad = dir + "/nounits.nwb"
        try writeCrafted(bad) { $0.units = nil }
        let e = try #require(NWBPython.run(exe, ["data", "from-nwb", bad, "--out", dir + "/x.h5"]))
        #expect(e.status != 0)
        #expect(e.err.contains("key 'units'"), "\(e.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.h5"))
        // inspect summarises an NWB file
        let i = try #require(NWBPython.run(exe, ["data", "inspect", nwb]))
        #expect(i.status == 0)
        #expect(i.out.contains("units: 12 (held-in 8, held-out 4"))
    }

    // MARK: - inspect summary

    @Test("data inspect summarises units, trials, splits and series")
    func summary() throws {
        guard let nwb = NWBPython.fixtureOrRecord() else { return }
        #expect(NWBSummary.isNWB(path: nwb))
        let text = try NWBSummary(path: nwb).lines.joined(separator: "\n")
        #expect(text.contains("format: NWB 2."))
        #expect(text.contains("units: 12 (held-in 8, held-out 4 ('heldout' column)"))
        #expect(text.contains("mean firing rate:"))
        #expect(text.contains("trials: 60"))
        #expect(text.contains("splits: test "))
        #expect(text.contains("hand_vel: processing/behavior/hand_vel [") && text.contains("×2], timestamps, ≈1000"))
        #expect(text.contains("rates: processing/truth/rates [") && text.contains("×12], 200.0 Hz"))
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plain = dir + "/plain.h5"
        try craft(plain) { try $0.write("train_data", floats: [0, 1], shape: [1, 1, 2]) }
        #expect(!NWBSummary.isNWB(path: plain))
    }

    // MARK: - pure time arithmetic

    @Test("nanosecond and 1 ms bin arithmetic follows pandas and numpy")
    func timeArithmetic() {
        #expect(NWBTime.nanoseconds(0.3) == 300_000_000)
        #expect(NWBTime.nanoseconds(12.345) == 12_345_000_000)
        #expect(NWBTime.nanoseconds(-0.25) == -250_000_000)
        #expect(NWBTime.nanoseconds(.nan) == nil)
        #expect(NWBTime.spikeMs(1.2345) == 1234)
        #expect(NWBTime.spikeMs(0.0019999999) == 2)
        #expect(NWBTime.labelNs(ms: 83_420) == 83_420_000_000)
        #expect(NWBTime.ceil(-249_999_999, to: 5_000_000) == -245_000_000)
        let tl = NWBTimeline(msCount: 100, factor: 5)
        #expect(tl.binCount == 20)
        #expect(tl.rows(from: 12_000_000, through: 29_999_000) == 3..<6)
        #expect(tl.unclampedRows(from: -10_000_000, through: 4_999_000) == -2..<1)
        #expect(tl.unclampedRows(from: 95_000_000, through: 109_999_000) == 19..<22)
        let h = NWBContinuous.decimationFilter(5)
        #expect(h.count == 501 && abs(h.reduce(0, +) - 1) < 1e-12 && abs(h[0] - h[500]) < 1e-18)
    }

    @Test("PSTH smoothing restarts at observation gaps, as convolve per NaN-free run then resample")
    func smoothingMatchesRunwiseConvolution() {
        let msCount = 400, f = 5
        let timeline = NWBTimeline(msCount: msCount, factor: f)
        var rng = SeededRandom(seed: 3)
        let spikes = (0..<80).map { _ in rng.int(below: msCount) }.sorted()
        let mask = NWBObservedMask(intervals: [.init(start: 0.2, end: 0.4), .init(start: 0, end: 0.1503)], msCount: msCount)
        #expect(mask.runs == [0..<150, 200..<400])
        let kernel = NWBGaussianKernel(sdMs: 7)
        let raster = NWBSpikeRaster(timeline: timeline, spikeMs: [spikes])
        // reference: x per 1 ms row (NaN where unobserved), scipy-style 'same' convolution of each
        // observed run on its own, NaN rows set to 0 and summed in groups of f, NaN where the
        // group's first row is NaN
        var x = [Double](repeating: .nan, count: msCount)
        for r in mask.runs { for i in r { x[i] = 0 } }
        for p in spikes where !x[p].isNaN { x[p] += 1 }
        var y = x
        let (w, c) = (kernel.weights, kernel.center)
        for r in mask.runs {
            for i in r {
                y[i] = (0..<w.count).reduce(0.0) { acc, k in r.contains(i + c - k) ? acc + x[i + c - k] * w[k] : acc }
            }
        }
        let expected = (0..<(msCount / f)).map { j -> Double in
            y[j * f].isNaN ? .nan : (j * f..<(j + 1) * f).reduce(0.0) { $0 + (y[$1].isNaN ? 0 : y[$1]) }
        }
        let got = raster.smoothed(unit: 0, rows: 0..<(msCount / f), mask: mask, kernel: kernel)
        #expect(zip(got, expected).allSatisfy { ($0.isNaN && $1.isNaN) || abs($0 - $1) < 1e-12 })
        let partial = raster.smoothed(unit: 0, rows: 25..<45, mask: mask, kernel: kernel)
        #expect(zip(partial, expected[25..<45]).allSatisfy { ($0.isNaN && $1.isNaN) || abs($0 - $1) < 1e-12 })
        let counts = raster.counts(unit: 0, rows: 28..<42, mask: mask)
        #expect(counts[0...1].allSatisfy { !$0.isNaN } && counts[2...11].allSatisfy(\.isNaN) && !counts[12].isNaN)
        #expect(counts[12] == Float(spikes.filter { $0 >= 200 && $0 < 205 }.count))
    }

    // MARK: - crafted files: conversion without split column, and every bad input

    struct Craft {
        var units: [[Double]]? = [[0.10, 0.52, 1.21, 2.33, 3.05, 4.61], [0.33, 1.47, 2.11, 3.72], [1.02, 1.83, 4.40]]
        var spikeIndex: [Int]?
        var heldout: [Int]?
        var trials: Bool = true
        var onset: [Double] = [0.3, 1.3, 2.3, 3.3, 4.3]
    }

    private func writeCrafted(_ path: String, _ edit: (inout Craft) -> Void) throws {
        var c = Craft()
        edit(&c)
        try craft(path) { f in
            try f.writeStringAttribute("nwb_version", "2.7.0")
            if let units = c.units {
                let flat = units.flatMap { $0 }
                var ends: [Int] = [], acc = 0
                for u in units { acc += u.count; ends.append(acc) }
                try f.write("units/spike_times", doubles: flat, shape: [flat.count])
                let index = c.spikeIndex ?? ends
                try f.write("units/spike_times_index", ints: index, shape: [index.count])
                try f.write("units/id", ints: Array(0..<units.count), shape: [units.count])
                if let h = c.heldout { try f.write("units/heldout", ints: h, shape: [h.count], dtype: .int8) }
            } else {
                try f.write("acquisition/nothing", doubles: [0], shape: [1])
            }
            if c.trials {
                try f.write("intervals/trials/start_time", doubles: [0, 1, 2, 3, 4], shape: [5])
                try f.write("intervals/trials/stop_time", doubles: [0.9, 1.9, 2.7, 3.9, 4.9], shape: [5])
                try f.write("intervals/trials/id", ints: [10, 11, 12, 13, 14], shape: [5])
                try f.write("intervals/trials/move_onset_time", doubles: c.onset, shape: [5])
            }
        }
    }

    @Test("a file without split column or obs_intervals converts whole trials, padded with NaN")
    func wholeTrialsWithoutSplitColumn() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/small.nwb"
        try writeCrafted(path) { _ in }
        var o = NWBConversionOptions()
        o.binMs = 100
        o.validFraction = 0.4
        let c = try NWBConverter.convert(path, to: dir + "/out.h5", options: o)
        // The validating reader accepts what from-nwb wrote (NaN padding = missing data).
        let d = try LFADSReader.read(dir + "/out.h5", options: LFADSReadOptions(allowMissing: true))
        #expect(c.windowBins == 9)
        #expect(d.trialCount(.train) == 3 && d.trialCount(.valid) == 2 && d.test == nil)
        #expect(Set((d.train?.inds ?? []) + (d.valid?.inds ?? [])) == [10, 11, 12, 13, 14])
        let values = d.train!.encod.values + d.valid!.encod.values
        #expect(values.filter { !$0.isNaN }.reduce(0, +) == 13)   // every spike lies inside a trial
        #expect(values.filter(\.isNaN).count == 2 * 3)          // trial 12 (0.7 s) padded by 2 bins
        #expect(c.attributes.windowMs == "start_time:stop_time" && c.attributes.alignField == "")
        o.heldOut = .fraction(0.34)
        let held = try NWBConverter.convert(path, options: o)
        #expect(held.attributes.heldoutUnits.count == 1 && held.attributes.heldinUnits.count == 2)
        #expect(try NWBConverter.convert(path, options: o).attributes.heldoutUnits == held.attributes.heldoutUnits)
        #expect(held.dataset.train?.recon?.channels == 3 && held.dataset.train?.encod.channels == 2)
        o.heldOut = .automatic
        let again = try NWBConverter.convert(path, options: o)
        for name in [LFADSSplitName.train, .valid] {   // the seed makes the split reproducible
            #expect(again.dataset.splits[name]?.inds == c.dataset.splits[name]?.inds)
            #expect(again.dataset.splits[name].map { "\($0.encod.values)" } == c.dataset.splits[name].map { "\($0.encod.values)" })
        }
    }

    @Test("bad input: one clear error naming the file and key", arguments: [
        "no units", "no trials", "spikes outside every trial", "window outside a trial", "unknown event column",
        "unknown series", "zero held-in units", "ragged index inconsistent", "non-monotonic index", "NaN event time",
        "unknown condition column", "unknown held-out id",
    ])
    func badInput(_ which: String) throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/bad.nwb"
        var o = NWBConversionOptions()
        o.alignField = "move_onset_time"
        o.window = .init(startMs: -200, endMs: 400)
        let expected: [String]
        switch which {
        case "no units": try writeCrafted(path) { $0.units = nil }; expected = ["key 'units'", "no /units table"]
        case "no trials": try writeCrafted(path) { $0.trials = false }; expected = ["key 'intervals/trials'"]
        case "spikes outside every trial":
            try writeCrafted(path) { $0.units = [[10.5, 11.2], [12.0]] }
            expected = ["key 'units/spike_times'", "inside any trial"]
        case "window outside a trial":
            try writeCrafted(path) { _ in }
            o.window = .init(startMs: 5000, endMs: 6000)
            expected = ["key 'intervals/trials/move_onset_time'", "trial 10", "--window 5000:6000", "outside the trial"]
        case "unknown event column":
            try writeCrafted(path) { _ in }
            o.alignField = "go_cue_time"
            expected = ["key 'intervals/trials/go_cue_time'", "--align", "move_onset_time"]
        case "unknown series":
            try writeCrafted(path) { _ in }
            o.behavior = ["hand_vel"]
            expected = ["key 'hand_vel'", "--behavior"]
        case "zero held-in units":
            try writeCrafted(path) { $0.heldout = [1, 1, 1] }
            expected = ["key 'units/heldout'", "no held-in units"]
        case "ragged index inconsistent":
            try writeCrafted(path) { $0.spikeIndex = [6, 10, 99] }
            expected = ["key 'units/spike_times_index'", "does not match its data"]
        case "non-monotonic index":
            try writeCrafted(path) { $0.spikeIndex = [6, 4, 13] }
            expected = ["key 'units/spike_times_index'", "not monotonic"]
        case "NaN event time":
            try writeCrafted(path) { $0.onset[2] = .nan }
            expected = ["key 'intervals/trials/move_onset_time'", "trial 12", "nan"]
        case "unknown condition column":
            try writeCrafted(path) { _ in }
            o.conditionFields = ["trial_type"]
            expected = ["key 'intervals/trials/trial_type'", "--condition"]
        default:
            try writeCrafted(path) { _ in }
            o.heldOut = .ids([7])
            expected = ["key 'units/id'", "no unit with id 7"]
        }
        do {
            _ = try NWBConverter.convert(path, to: dir + "/out.h5", options: o)
            Issue.record("\(which): conversion succeeded")
        } catch let e as DataFileError {
            #expect(e.path == path)
            #expect(!e.message.contains("\n"))
            for part in expected { #expect(e.message.contains(part), "\(which): \(e.message)") }
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.h5"))
    }

    @Test("a dataset declaring far more data than the file holds is refused before allocating")
    func hugeDeclaredDataset() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/huge.nwb"
        guard NWBPython.check(["craft-huge", path]) != nil else { return }
        let e = #expect(throws: DataFileError.self) { _ = try NWBConverter.convert(path) }
        #expect(e?.message.contains("key 'units/spike_times'") == true)
        #expect(e?.message.contains("truncated or corrupt") == true, "\(e?.message ?? "")")
    }

    @Test("bad options are one-line errors naming the option")
    func badOptions() throws {
        var o = NWBConversionOptions()
        o.binMs = 2.5
        #expect(throws: NWBOptionError.self) { _ = try o.validatedFactor() }
        o.binMs = 20
        o.window = .init(startMs: -250, endMs: 455)
        #expect((#expect(throws: NWBOptionError.self) { _ = try o.validatedFactor() })?.description.contains("--window -250:455") == true)
        o.window = nil
        o.alignField = "move_onset_time"
        #expect((#expect(throws: NWBOptionError.self) { _ = try o.validatedFactor() })?.description.contains("--align move_onset_time needs --window") == true)
        #expect(try NWBConversionOptions.parseWindow("-250:450") == .init(startMs: -250, endMs: 450))
        #expect(throws: NWBOptionError.self) { _ = try NWBConversionOptions.parseWindow("450:-250") }
        #expect(try NWBConversionOptions.parseHeldOut("auto:0.25") == .fraction(0.25))
        #expect(try NWBConversionOptions.parseHeldOut("3, 7,12") == .ids([3, 7, 12]))
        #expect(try NWBConversionOptions.parseHeldOut("NWB") == .nwbColumn)
        #expect(throws: NWBOptionError.self) { _ = try NWBConversionOptions.parseHeldOut("auto:2") }
    }

    // MARK: - comparison helpers

    /// Same dataset names, shapes and values (NaN equal to NaN) in both files.
    private func expectSameDatasets(_ a: String, _ b: String) throws {
        let fa = try HDF5File(path: a), fb = try HDF5File(path: b)
        defer { fa.close(); fb.close() }
        let names = try fa.datasetNames()
        #expect(names == (try fb.datasetNames()))
        for key in names where try fa.info(key).dtype.isNumeric {
            let (va, sa) = try fa.readDoubles(key), (vb, sb) = try fb.readDoubles(key)
            #expect(sa == sb && zip(va, vb).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(key) differs")
        }
    }

    private func slice(_ a: Array3D, _ time: Range<Int>, _ ch: Range<Int>) -> Array3D {
        var v: [Float] = []
        for b in 0..<a.trials { for t in time { for c in ch { v.append(a[b, t, c]) } } }
        return Array3D(trials: a.trials, time: time.count, channels: ch.count, values: v)
    }

    private func expectExact(_ a: Array3D, _ b: Array3D, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.shape == b.shape, "\(what): shape \(a.shape) vs nlb_tools \(b.shape)", sourceLocation: sourceLocation)
        guard a.shape == b.shape else { return }
        let bad = zip(a.values, b.values).enumerated().filter { !($0.1.0 == $0.1.1 || ($0.1.0.isNaN && $0.1.1.isNaN)) }
        #expect(bad.isEmpty, "\(what): \(bad.count) of \(a.values.count) values differ, first at \(bad.first.map { "\($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "")", sourceLocation: sourceLocation)
    }

    /// |a − b| ≤ 1e-5·|b| (+ 1e-7 of the largest |b| for values near zero), NaN where b is NaN.
    private func expectClose(_ a: [Double], _ b: [Double], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, "\(what): \(a.count) vs \(b.count) values", sourceLocation: sourceLocation)
        guard a.count == b.count else { return }
        let scale = b.filter { !$0.isNaN }.map(abs).max() ?? 0
        let bad = zip(a, b).enumerated().filter { _, p in
            p.1.isNaN ? !p.0.isNaN : !(abs(p.0 - p.1) <= 1e-5 * abs(p.1) + 1e-7 * scale)
        }
        #expect(bad.isEmpty, "\(what): \(bad.count) of \(a.count) values differ, first at \(bad.first.map { "\($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "")", sourceLocation: sourceLocation)
    }
}
