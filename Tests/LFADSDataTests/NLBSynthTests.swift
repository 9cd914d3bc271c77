import Foundation
import Testing
import TestSupport
@testable import LFADSData

/// `autolfads data synth nlb`: the synthetic NWB file, checked with pynwb and nlb_tools
/// (Tests/LFADSDataTests/nwb_synth_check.py) and against the generator's own numbers.
@Suite struct NLBSynthTests {
    /// What nwb_synth_check.py prints.
    struct Check: Decodable {
        let units: Int
        let unit_ids: [Int]
        let units_colnames: [String]
        let heldout: [Bool]
        let heldout_dtype: String
        let spike_counts: [Int]
        let spikes_sorted: Bool
        let obs_intervals: [[Double]]
        let trials: Int
        let trials_colnames: [String]
        let splits: [String: Int]
        let onset_after_start_ms: [Double]
        let conditions: Int
        let processing: [String]
        let hand_vel_shape: [Int]
        let hand_vel_dt: Double
        let rates_shape: [Int]
        let latents_shape: [Int]
        let truth_rate_hz: [Double]
        let truth_expected_counts: [Double]
        let identifier: String
        let session_start_time: String
        let pynwb_warnings: [String]
        let validation_errors: [String]
        let nlb_spike_counts: [Int]
        let nlb_heldout_spike_counts: [Int]
        let nlb_fields: [String]
        let train_tensors: [String: [Int]]
        let eval_input_tensors: [String: [Int]]
        let target_key: String
        let target_tensors: [String: [Int]]
        let target_nan_free: Bool
        let psth_conditions: Int?
    }

    /// Runs the checker with the NLB venv's python; nil (after recording an issue) when it
    /// cannot run.
    static func check(_ path: String, psth: Bool) async throws -> Check? {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let root = here.deletingLastPathComponent().deletingLastPathComponent()
        let python = ProcessInfo.processInfo.environment["AUTOLFADS_NLB_PYTHON"] ?? root.appendingPathComponent(".venv-nlb/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("no python with pynwb and nlb_tools at \(python): run scripts/deps --test (or set AUTOLFADS_NLB_PYTHON)")
            return nil
        }
        let r = try await TestProcess.run(python, [here.appendingPathComponent("nwb_synth_check.py").path, path] + (psth ? ["--psth"] : []),
                                          seconds: 300)
        guard r.status == 0 else {
            if r.stderr.contains("No module named") {
                Issue.record("pynwb / nlb_tools missing for \(python): run scripts/deps --test (\(r.stderr.split(separator: "\n").last ?? ""))")
            } else {
                Issue.record("nwb_synth_check.py failed (\(r.status)): \(r.stderr.suffix(2000))")
            }
            return nil
        }
        return try JSONDecoder().decode(Check.self, from: Data(r.stdout.utf8))
    }

    @Test func defaultsLoadInPynwbAndNlbTools() async throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/synth.nwb"
        let config = NLBSynthConfig()
        let clock = ContinuousClock()
        var recording: NLBSynthRecording?
        let generation = try clock.measure { recording = try NLBSynthGenerator.generate(config) }
        let r = try #require(recording)
        let summary = try NLBSynthWriter.write(r, to: path)
        print("synth nlb defaults: generated in \(generation), \(summary.bytes) bytes, \(summary.spikeCounts.reduce(0, +)) spikes, \(summary.durationSeconds) s")
        #expect(summary.bytes > 0 && summary.bytes <= 10 << 20)
        #expect((summary.trainTrials, summary.validTrials, summary.testTrials) == (140, 30, 30))
        #expect(summary.heldoutUnits == 10 && summary.units == 40)

        guard let c = try await Self.check(path, psth: true) else { return }
        #expect(c.pynwb_warnings.isEmpty, "pynwb warned: \(c.pynwb_warnings)")
        #expect(c.validation_errors.isEmpty, "pynwb validate: \(c.validation_errors)")
        #expect(c.units == 40 && c.unit_ids == Array(0..<40))
        #expect(c.units_colnames == ["spike_times", "obs_intervals", "heldout"])
        #expect(c.heldout == r.heldout && c.heldout_dtype == "bool")
        #expect(c.spike_counts == r.spikeCounts && c.spikes_sorted)
        #expect(c.obs_intervals.allSatisfy { $0 == [0, Double(r.durationMs) / 1000] })
        #expect(c.trials == 200 && c.splits == ["train": 140, "val": 30, "test": 30])
        #expect(c.trials_colnames == ["start_time", "stop_time", "move_onset_time", "trial_type", "trial_version", "split"])
        #expect(c.onset_after_start_ms[0] >= 249.9 && c.onset_after_start_ms[1] <= 450.1)
        #expect(c.conditions == 8)
        #expect(c.processing == ["behavior", "truth"])
        #expect(c.hand_vel_shape == [r.durationMs, 2] && abs(c.hand_vel_dt - 0.001) < 1e-9)
        #expect(c.rates_shape == [r.durationMs / 5, 40] && c.latents_shape == [r.durationMs / 5, 3])
        #expect(c.truth_rate_hz == [200, 200])
        #expect(c.session_start_time == "2020-01-01T00:00:00+00:00" && c.identifier.count == 36)

        // nlb_tools bins spikes at 1 ms into held-in (row order) and held-out groups.
        let counts = r.spikeCounts
        #expect(c.nlb_spike_counts == counts.indices.filter { !r.heldout[$0] }.map { counts[$0] })
        #expect(c.nlb_heldout_spike_counts == counts.indices.filter { r.heldout[$0] }.map { counts[$0] })
        #expect(Set(c.nlb_fields).isSuperset(of: ["spikes", "heldout_spikes", "hand_vel", "rates", "latents"]))
        // mc_maze window −250…450 ms around move onset at 20 ms: 35 bins; forward 200 ms: 10.
        #expect(c.train_tensors["train_spikes_heldin"] == [140, 35, 30])
        #expect(c.train_tensors["train_spikes_heldout"] == [140, 35, 10])
        #expect(c.train_tensors["train_behavior"] == [140, 35, 2])
        #expect(c.train_tensors["train_spikes_heldin_forward"] == [140, 10, 30])
        #expect(c.eval_input_tensors["eval_spikes_heldin"] == [30, 35, 30])
        #expect(c.target_key == "mc_maze_20")
        #expect(c.target_tensors["eval_spikes_heldout"] == [30, 35, 10])
        #expect(c.target_tensors["eval_behavior"] == [30, 35, 2])
        #expect(c.target_tensors["eval_spikes_heldout_forward"] == [30, 10, 10])
        #expect(c.target_tensors["psth"] == [8, 35, 40] && c.psth_conditions == 8)
        #expect(c.target_nan_free)

        // Truth: the stored rates integrate to the generator's expected counts, and the spikes match them.
        for (a, b) in zip(c.truth_expected_counts, r.expectedCounts) { #expect(abs(a - b) <= 1e-4 * b) }
        let total = Double(counts.reduce(0, +)), expectedTotal = r.expectedCounts.reduce(0, +)
        #expect(abs(total - expectedTotal) / expectedTotal < 0.02)
        for (n, e) in zip(counts, r.expectedCounts) {
            #expect(abs(Double(n) - e) / e < 0.1 && abs(Double(n) - e) / e.squareRoot() < 5, "count \(n) vs expected \(e)")
        }
    }

    @Test func sameSeedGivesByteIdenticalFile() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = NLBSynthConfig()
        c.trials = 40
        c.seed = 7
        try NLBSynthWriter.generate(c, to: dir + "/a.nwb")
        try NLBSynthWriter.generate(c, to: dir + "/b.nwb")
        c.seed = 8
        try NLBSynthWriter.generate(c, to: dir + "/c.nwb")
        let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/a.nwb"))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/b.nwb"))
        let other = try Data(contentsOf: URL(fileURLWithPath: dir + "/c.nwb"))
        #expect(a == b)
        #expect(a != other)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func chaoticRNNLatentsLoadInNlbTools() async throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = NLBSynthConfig()
        config.latents = .chaoticRNN
        config.trials = 40
        config.neurons = 20
        config.heldoutNeurons = 6
        config.seed = 3
        let r = try NLBSynthGenerator.generate(config)
        let bound = config.baseRateHz * Foundation.exp(config.maxLogRateDeviation) * 1.0001
        #expect(r.truthRates.allSatisfy { $0 > 0 && Double($0) <= bound }, "truth rates beyond \(bound) Hz")
        #expect(Double(r.truthRates.max() ?? 0) > 3 * config.baseRateHz)
        let path = dir + "/rnn.nwb"
        try NLBSynthWriter.write(r, to: path)
        guard let c = try await Self.check(path, psth: false) else { return }
        #expect(c.pynwb_warnings.isEmpty && c.validation_errors.isEmpty)
        #expect(c.latents_shape == [r.durationMs / 5, 20] && c.rates_shape == [r.durationMs / 5, 20])
        #expect(c.heldout.filter { $0 }.count == 6 && c.spike_counts == r.spikeCounts)
        #expect(c.train_tensors["train_spikes_heldin"] == [r.trialCount(split: "train"), 35, 14])
        #expect(c.train_tensors["train_spikes_heldout"] == [r.trialCount(split: "train"), 35, 6])
        #expect(c.target_tensors["eval_spikes_heldout"] == [r.trialCount(split: "val"), 35, 6])
    }

    @Test func sessionLayoutInvariants() throws {
        let c = NLBSynthConfig()
        let r = try NLBSynthGenerator.generate(c)
        #expect(r.durationMs % c.truthBinMs == 0)
        var previousStop = 0
        for t in r.trials {
            #expect(t.startMs - previousStop >= c.gapMs.lowerBound)
            #expect(c.trialMs.contains(t.stopMs - t.startMs))
            #expect(c.moveOnsetMs.contains(t.moveOnsetMs - t.startMs))
            previousStop = t.stopMs
        }
        #expect(r.durationMs - previousStop >= c.gapMs.upperBound)
        var perCondition = [Int](repeating: 0, count: c.conditions)
        for t in r.trials { perCondition[t.condition] += 1 }
        #expect(perCondition == [Int](repeating: 25, count: 8))
        #expect(r.heldout.filter { $0 }.count == 10)
        let end = Double(r.durationMs) / 1000
        for times in r.spikeTimes {
            #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
            #expect((times.first ?? 0) >= 0 && (times.last ?? 0) < end)
        }
        let bound = c.baseRateHz * Foundation.exp(c.maxLogRateDeviation) * 1.0001
        let low = c.baseRateHz * Foundation.exp(-c.maxLogRateDeviation) / 1.0001
        #expect(r.truthRates.allSatisfy { Double($0) >= low && Double($0) <= bound })
        // Truth rates (Hz, 5 ms means) integrate to the expected counts.
        for n in 0..<c.neurons {
            var sum = 0.0
            for s in 0..<r.truthSamples { sum += Double(r.truthRates[s * c.neurons + n]) }
            #expect(abs(sum * 0.005 - r.expectedCounts[n]) <= 1e-4 * r.expectedCounts[n])
        }
        // Before move onset the latents hold still; after it they move.
        let t = r.trials[0], L = r.latentDim
        let a = t.startMs / 5 + 1, b = t.moveOnsetMs / 5 - 1, d = t.moveOnsetMs / 5 + 40
        #expect((0..<L).allSatisfy { r.truthLatents[a * L + $0] == r.truthLatents[b * L + $0] })
        #expect((0..<L).contains { abs(r.truthLatents[d * L + $0] - r.truthLatents[b * L + $0]) > 0.05 })
    }

    @Test func badSettingsAreOneLineErrors() throws {
        var c = NLBSynthConfig()
        c.heldoutNeurons = 40
        #expect(#expect(throws: DataFileError.self) { try NLBSynthGenerator.generate(c) }?.key == "heldout")
        c = NLBSynthConfig()
        c.trials = 2
        #expect(#expect(throws: DataFileError.self) { try NLBSynthGenerator.generate(c) }?.key == "trials")
        c = NLBSynthConfig()
        c.moveOnsetMs = 250...600
        #expect(#expect(throws: DataFileError.self) { try NLBSynthGenerator.generate(c) }?.key == "moveOnsetMs")
        c = NLBSynthConfig()
        c.trials = 10
        #expect(throws: DataFileError.self) { try NLBSynthWriter.generate(c, to: "/nonexistent-dir-\(UUID().uuidString)/x.nwb") }
    }

    @Test func writerClosesEveryHandle() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = NLBSynthConfig()
        c.trials = 10
        let file = try HDF5File(path: dir + "/h.nwb", mode: .create)
        defer { file.close() }
        try NLBSynthWriter.writeContents(try NLBSynthGenerator.generate(c), into: file)
        #expect(file.openObjectCount == 1)
    }

    @Test func uuidsAreVersion4AndSeeded() {
        var a = SeededRandom(seed: 1), b = SeededRandom(seed: 1)
        let u = NWBWriter.uuid(&a)
        #expect(u == NWBWriter.uuid(&b))
        #expect(UUID(uuidString: u) != nil)
        let parts = u.split(separator: "-").map(String.init)
        #expect(parts.map(\.count) == [8, 4, 4, 4, 12])
        #expect(parts[2].first == "4" && "89ab".contains(parts[3].first ?? "x"))
        #expect(NWBWriter.uuid(&a) != u)
    }
}
