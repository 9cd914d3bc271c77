import Engine
import Foundation
import LFADSData
import Testing
@testable import LFADSModel

/// Temporal-shift augmentation: exact shifted values, the clamped normal draws, independent
/// encoder/target draws, seeded training, and no shift outside training.
@Suite struct TemporalShiftTests {
    /// 2 trials × 5 bins × 2 channels; value = 100·trial + 10·channel + bin.
    static func ramp() -> [Float] {
        (0..<20).map { (i: Int) -> Float in
            let trial = i / 10, channel = i % 2, bin = (i % 10) / 2
            return Float(100 * trial + 10 * channel + bin)
        }
    }

    static func series(_ d: [Float], trial: Int, channel: Int, bins: Int = 5, channels: Int = 2) -> [Float] {
        (0..<bins).map { d[(trial * bins + $0) * channels + channel] }
    }

    @Test func shiftsReplicateTheEdgesExactly() {
        var d = Self.ramp(), scratch: [Float] = []
        TemporalShift.apply(&d, trials: 2, bins: 5, channels: 2, shifts: [2, -1, 0, 7], scratch: &scratch)
        #expect(Self.series(d, trial: 0, channel: 0) == [0, 0, 0, 1, 2], "+2: later, first value repeated")
        #expect(Self.series(d, trial: 0, channel: 1) == [11, 12, 13, 14, 14], "−1: earlier, last value repeated")
        #expect(Self.series(d, trial: 1, channel: 0) == [100, 101, 102, 103, 104], "0: unchanged")
        #expect(Self.series(d, trial: 1, channel: 1) == [110, 110, 110, 110, 110], "beyond the trial: all the first value")
        var same = Self.ramp()
        TemporalShift.apply(&same, trials: 2, bins: 5, channels: 2, shifts: [0, 0, 0, 0], scratch: &scratch)
        #expect(same == Self.ramp())
    }

    @Test func drawsAreRoundedNormalsClampedToTheMaximum() {
        var rng = Rng(seed: 4), check = Rng(seed: 4)
        let shifts = TemporalShift.draw(trials: 50, channels: 40, std: 1.5, maxShift: 2, rng: &rng)
        let expected = (0..<2000).map { _ in Int(min(max((check.normal() * 1.5).rounded(), -2), 2)) }
        #expect(shifts == expected)
        #expect(Set(shifts) == [-2, -1, 0, 1, 2])
        // round(N(0, 1.5²)) clamped at ±2: P(|s| = 2) = P(|z| ≥ 1.5/1.5) ≈ 0.317.
        let edge = Double(shifts.filter { abs($0) == 2 }.count) / 2000
        #expect(abs(edge - 0.317) < 0.04, "\(edge)")
        // Zero SD draws nothing: the generator is untouched.
        var untouched = Rng(seed: 9), fresh = Rng(seed: 9)
        #expect(TemporalShift.draw(trials: 3, channels: 4, std: 0, maxShift: 6, rng: &untouched) == [Int](repeating: 0, count: 12))
        #expect(untouched.next() == fresh.next())
    }

    /// The shift of one channel's series, found by matching it against every candidate.
    static func recoveredShift(_ shifted: [Float], _ original: [Float], max: Int) -> Int? {
        let bins = original.count
        return (-max...max).first { s in (0..<bins).allSatisfy { shifted[$0] == original[Swift.min(Swift.max($0 - s, 0), bins - 1)] } }
    }

    @Test func encoderAndTargetsGetIndependentDrawsAndTheMaskFollowsTargets() {
        let trials = 4, bins = 12, channels = 6
        let base = (0..<(trials * bins * channels)).map { Float($0) }
        var split = SplitArrays(trials: trials, encod: base, recon: base)
        split.observed = base.map { Int($0) % 5 == 0 ? 0 : 1 }
        var rng = Rng(seed: 21), check = Rng(seed: 21), scratch: [Float] = []
        TemporalShift.apply(&split, encodBins: bins, encodChannels: channels, reconBins: bins, reconChannels: channels,
                            std: 2, maxShift: 3, rng: &rng, scratch: &scratch)
        let encodShifts = TemporalShift.draw(trials: trials, channels: channels, std: 2, maxShift: 3, rng: &check)
        let reconShifts = TemporalShift.draw(trials: trials, channels: channels, std: 2, maxShift: 3, rng: &check)
        #expect(encodShifts != reconShifts)
        #expect(rng.next() == check.next(), "exactly two draws")
        let originalMask = base.map { Float(Int($0) % 5 == 0 ? 0 : 1) }
        for t in 0..<trials {
            for ch in 0..<channels {
                let orig = Self.series(base, trial: t, channel: ch, bins: bins, channels: channels)
                let i = t * channels + ch
                #expect(Self.recoveredShift(Self.series(split.encod, trial: t, channel: ch, bins: bins, channels: channels), orig, max: 3) == encodShifts[i])
                #expect(Self.recoveredShift(Self.series(split.recon, trial: t, channel: ch, bins: bins, channels: channels), orig, max: 3) == reconShifts[i])
                // The mask is shifted with the targets' shift, so each target keeps its own mask value.
                let mask = Self.series(split.observed!, trial: t, channel: ch, bins: bins, channels: channels)
                let origMask = Self.series(originalMask, trial: t, channel: ch, bins: bins, channels: channels)
                #expect(mask == (0..<bins).map { origMask[min(max($0 - reconShifts[i], 0), bins - 1)] })
            }
        }
    }

    func config(std: Double) -> LFADSConfig {
        var c = Fixtures.tinyConfig()
        c.temporalShiftStd = std; c.temporalShiftMax = 2; c.posteriorSamples = 2
        return c
    }

    @Test func trainingIsSeededFiniteAndDiffersFromNoShift() throws {
        let data = Fixtures.tinyDataset(trials: 16, tEnc: 8, tRec: 10, seed: 7, missingFraction: 0.2)
        func trained(_ std: Double) throws -> Trainer {
            var c = config(std: std); c.allowMissing = true
            let t = try Trainer(config: c, dataset: data)
            try t.train(epochs: 3)
            return t
        }
        let a = try trained(1.5), b = try trained(1.5), off = try trained(0)
        #expect(a.network.store.snapshotValues() == b.network.store.snapshotValues())
        #expect(a.network.store.snapshotValues() != off.network.store.snapshotValues())
        #expect(a.records.allSatisfy { $0.trainRecon.isFinite && $0.validRecon.isFinite })
        #expect(a.network.store.snapshotValues().allSatisfy { $0.isFinite })
    }

    /// A model trained with the shift, loaded into a trainer without it, gives the same
    /// validation loss and posterior outputs: neither applies the augmentation.
    @Test func evaluationAndPosteriorSamplingAreNotShifted() throws {
        let data = Fixtures.tinyDataset(trials: 16, tEnc: 8, tRec: 10, seed: 8)
        let shifted = try Trainer(config: config(std: 2), dataset: data)
        try shifted.train(epochs: 2)
        let path = Fixtures.tempDir() + "/shift.ckpt"
        try shifted.saveCheckpoint(to: path)
        let plain = try Trainer(config: config(std: 0), dataset: data)
        try plain.loadCheckpoint(path, overridingHPs: true)
        #expect(plain.config.temporalShiftStd == 0)
        #expect(plain.network.store.snapshotValues() == shifted.network.store.snapshotValues())
        let w = LossWeights(rampL2: 1, rampKL: 1)
        let e1 = shifted.evaluate(shifted.valid, sv: shifted.svValid, weights: w)
        let e2 = plain.evaluate(plain.valid, sv: plain.svValid, weights: w)
        #expect(e1.0 == e2.0)
        let o1 = try shifted.posteriorOutputs(data.valid!, samples: 2), o2 = try plain.posteriorOutputs(data.valid!, samples: 2)
        #expect(o1.arrays["output_params"]!.values == o2.arrays["output_params"]!.values)
        #expect(o1.arrays["factors"]!.values == o2.arrays["factors"]!.values)
    }

    @Test func configKeysParseAndValidate() throws {
        var c = LFADSConfig()
        try c.apply(overrides: ["temporal_shift_std=1.5", "temporal_shift_max=4"])
        #expect(c.temporalShiftStd == 1.5 && c.temporalShiftMax == 4)
        try c.validate()
        #expect(LFADSConfig().temporalShiftStd == 0 && LFADSConfig().temporalShiftMax == 6)
        for (std, max) in [(-1.0, 3), (Double.nan, 3), (Double.infinity, 3), (1, -1), (1, LFADSConfig.Limits.bins + 1)] {
            var bad = LFADSConfig()
            bad.temporalShiftStd = std; bad.temporalShiftMax = max
            #expect(throws: ConfigError.self) { try bad.validate() }
            do { try bad.validate() } catch { #expect("\(error)".contains("temporal_shift"), "\(error)") }
        }
        #expect(throws: ConfigError.self) { try c.apply(overrides: ["temporal_shift_sd=1"]) }
    }
}
