import Foundation
import Testing
import LFADSMetrics
@testable import LFADSData

/// `autolfads evaluate`'s scores of an output file: each one equals the metric computed by hand on
/// the slice it is defined on, and missing pieces are said, not guessed.
@Suite struct NLBEvaluationTests {
    static let trials = 24, bins = 10, forward = 3, nIn = 4, nOut = 2, conds = 3
    static var allBins: Int { bins + forward }
    static var nAll: Int { nIn + nOut }

    /// A small lfads-torch file with behaviour, PSTHs, truth, and "model" rates = truth + a bias.
    static func makeFiles(rateBias: Float = 0.05) throws -> (output: String, data: LFADSDataset) {
        var rng = SeededRandom(seed: 3)
        func split(_ n: Int, offset: Int) -> (LFADSSplit, [Double], [Double]) {
            var recon = Array3D(trials: n, time: allBins, channels: nAll), truth = recon
            var behavior: [Double] = [], conds: [Double] = []
            for b in 0..<n {
                let c = (b + offset) % Self.conds
                conds.append(Double(c))
                for t in 0..<allBins {
                    for k in 0..<nAll {
                        let rate = 0.4 + 0.3 * sin(Double(t) * 0.6 + Double(k) + Double(c))
                        truth.values[(b * allBins + t) * nAll + k] = Float(rate)
                        recon.values[(b * allBins + t) * nAll + k] = Float(rng.poisson(rate))
                    }
                    // Behaviour: a linear read-out of the true rates plus noise.
                    let r = (0..<nAll).map { Double(truth.values[(b * allBins + t) * nAll + $0]) }
                    if t < bins { behavior += [r[0] - r[3] + 0.05 * rng.normal(), 2 * r[1] + r[5] + 0.05 * rng.normal()] }
                }
            }
            var encod = Array3D(trials: n, time: bins, channels: nIn)
            for b in 0..<n { for t in 0..<bins { for k in 0..<nIn { encod.values[(b * bins + t) * nIn + k] = recon.values[(b * allBins + t) * nAll + k] } } }
            return (LFADSSplit(encod: encod, recon: recon, truth: truth), behavior, conds)
        }
        let (train, trainB, trainC) = split(trials, offset: 0)
        let (valid, validB, validC) = split(trials / 2, offset: 1)
        var psth = [Double](repeating: .nan, count: conds * bins * nAll)
        for c in 0..<conds { for t in 0..<(bins - (c == 2 ? 2 : 0)) { for k in 0..<nAll {
            psth[(c * bins + t) * nAll + k] = 0.4 + 0.3 * sin(Double(t) * 0.6 + Double(k) + Double(c))
        } } }
        var d = LFADSDataset(convention: .lfadsTorch, splits: [.train: train, .valid: valid])
        d.extras["train_behavior"] = HDF5Array(shape: [trials, bins, 2], dtype: .float32, values: trainB)
        d.extras["valid_behavior"] = HDF5Array(shape: [trials / 2, bins, 2], dtype: .float32, values: validB)
        d.extras["train_conds"] = HDF5Array(shape: [trials], dtype: .int64, values: trainC)
        d.extras["valid_conds"] = HDF5Array(shape: [trials / 2], dtype: .int64, values: validC)
        d.extras["psth"] = HDF5Array(shape: [conds, bins, nAll], dtype: .float32, values: psth)
        let dir = try makeTempDir()
        let out = dir + "/lfads_output_demo.h5"
        try LFADSWriter.write(d, to: out)
        let file = try HDF5File(path: out, mode: .readWrite)
        for (name, s) in [("train", train), ("valid", valid)] {
            try file.write("\(name)_output_params", floats: s.truth!.values.map { $0 + rateBias }, shape: s.truth!.shape)
        }
        try file.writeStringAttribute("observation_model", "poisson")
        try file.writeStringAttribute("bin_ms", "20")
        file.close()
        return (out, d)
    }

    @Test func scoresEqualTheMetricsOnTheirSlices() throws {
        let (path, d) = try Self.makeFiles()
        var options = NLBEvaluation.SmoothingOptions()
        options.kernelSDms = 40
        let e = try NLBEvaluation.evaluate(outputPath: path, smoothing: options)
        #expect(e.heldInNeurons == 4 && e.heldOutNeurons == 2 && e.windowBins == 10 && e.forwardBins == 3)
        let v = d.valid!, slab = Slab(trials: v.trialCount, bins: Self.allBins, channels: Self.nAll)
        let rates = v.truth!.values.map { Double($0 + 0.05) }, counts = v.recon!.values.map(Double.init)
        let co = try NLBMetrics.bitsPerSpike(rates: slab.take(rates, bins: 0..<10, channels: 4..<6),
                                             spikes: slab.take(counts, bins: 0..<10, channels: 4..<6), channels: 2)
        let fp = try NLBMetrics.bitsPerSpike(rates: slab.take(rates, bins: 10..<13, channels: 0..<6),
                                             spikes: slab.take(counts, bins: 10..<13, channels: 0..<6), channels: 6)
        #expect(e.model.coBPS == co && e.model.fpBPS == fp)
        #expect(co > 0, "near-true rates beat the mean rate: \(co)")
        // Condition-averaged true rates against the true PSTHs: almost perfect, but the bias costs a little.
        let psth = try #require(e.model.psthR2)
        #expect(psth > 0.8 && psth < 1, "\(psth)")
        #expect((e.model.velR2 ?? -1) > 0.5, "behaviour is a function of condition and time: \(String(describing: e.model.velR2))")
        #expect((e.model.ratesTruthR2 ?? 0) > 0.9)
        // The smoothing baseline is computed from the data alone and scored the same way (no forward bins).
        let s = try #require(e.smoothing)
        #expect(s.coBPS != nil && s.fpBPS == nil && s.velR2 != nil && s.psthR2 != nil)
        #expect(s.coBPS! < co, "smoothed spikes do worse than near-true rates: \(s.coBPS!) vs \(co)")
    }

    @Test func missingPiecesAreNotedAndContinuousDataGetsNoBitsPerSpike() throws {
        let (path, _) = try Self.makeFiles()
        let file = try HDF5File(path: path, mode: .readWrite)
        try file.remove("psth")
        try file.writeStringAttribute("observation_model", "gamma")
        file.close()
        let e = try NLBEvaluation.evaluate(outputPath: path)
        #expect(e.model.coBPS == nil && e.model.fpBPS == nil && e.model.heldInBPS == nil)
        #expect(e.model.dataR2 != nil)
        #expect(e.notes.contains { $0.contains("bits/spike: not shown for gamma") }, "\(e.notes)")
        #expect(e.notes.contains { $0.contains("psth R²") }, "\(e.notes)")
    }

    @Test func aFileWithoutRatesIsAClearError() throws {
        let (path, d) = try Self.makeFiles()
        let plain = (path as NSString).deletingLastPathComponent + "/plain.h5"
        try LFADSWriter.write(d, to: plain)
        #expect { try NLBEvaluation.evaluate(outputPath: plain) } throws: { "\($0)".contains("valid_output_params") }
    }
}

@Test func holdingOutKeepsTheFirstNeuronsForTheEncoder() throws {
    var c = LorenzConfig()
    c.conditions = 2; c.trialsPerCondition = 5; c.bins = 6; c.neurons = 8
    let d = try LorenzGenerator.generate(c)
    let h = try d.holdingOut(lastNeurons: 2)
    #expect(h.convention == .lfadsTorch && h.encodNeurons == 6 && h.reconNeurons == 8)
    let s = h.valid!, all = d.valid!.encod
    #expect(s.recon == all && s.truth == d.valid!.truth)
    #expect(s.encod.values[(1 * 6 + 4) * 6 + 5] == all.values[(1 * 6 + 4) * 8 + 5])
    #expect(throws: DataFileError.self) { _ = try d.holdingOut(lastNeurons: 8) }
    #expect(throws: DataFileError.self) { _ = try h.holdingOut(lastNeurons: 1) }
}

/// The honest held-out score: a test split carved from train trials, scored by `evaluate`.
@Suite struct TestSplitTests {
    @Test func carvingMovesSeededTrainTrialsWithTheirExtras() throws {
        var c = LorenzConfig()
        c.conditions = 4; c.trialsPerCondition = 10; c.bins = 5; c.neurons = 6
        let d = try LorenzGenerator.generate(c)
        let train = try #require(d.train)
        let t = try d.carvingTestSplit(trials: 8, seed: 1)
        let kept = try #require(t.train), test = try #require(t.test)
        #expect(kept.trialCount == train.trialCount - 8 && test.trialCount == 8 && t.valid == d.valid)
        // Disjoint, and together exactly the old train trials (by their original indices).
        let keptInds = try #require(kept.inds), testInds = try #require(test.inds)
        #expect(Set(keptInds).isDisjoint(with: testInds) && (keptInds + testInds).sorted() == train.inds!.sorted())
        // Each moved trial keeps its counts, truth and latents; its condition label moves with it.
        let row = try #require(train.inds!.firstIndex(of: testInds[0]))
        #expect(test.encod.selecting(trials: [0]) == train.encod.selecting(trials: [row]))
        #expect(test.truth!.selecting(trials: [0]) == train.truth!.selecting(trials: [row]))
        #expect(test.latents!.selecting(trials: [0]) == train.latents!.selecting(trials: [row]))
        #expect(t.extras["condition_labels_test"]?.values[0] == d.extras["condition_labels_train"]?.values[row])
        #expect(t.extras["condition_labels_train"]?.shape == [kept.trialCount])
        // The same seed gives the same split; a different one (almost surely) another.
        #expect(try d.carvingTestSplit(trials: 8, seed: 1) == t)
        #expect(try d.carvingTestSplit(trials: 8, seed: 2).test!.inds != testInds)
        #expect(throws: DataFileError.self) { _ = try d.carvingTestSplit(trials: train.trialCount - 1, seed: 1) }
        #expect(throws: DataFileError.self) { _ = try t.carvingTestSplit(trials: 2, seed: 1) }
    }

    /// A test split holding exactly the valid trials (and rates) scores exactly what valid scores;
    /// `auto` chooses it, `--split valid` does not, and `test` without targets is a clear error.
    @Test func evaluateScoresTheTestSplitWhenItHasTargets() throws {
        let (path, d) = try NLBEvaluationTests.makeFiles()
        let plain = try NLBEvaluation.evaluate(outputPath: path)
        #expect(plain.split == "valid")
        #expect { try NLBEvaluation.evaluate(outputPath: path, split: .test) } throws: { "\($0)".contains("test_recon_data") }

        let file = try HDF5File(path: path, mode: .readWrite)
        let v = d.valid!
        try file.write("test_encod_data", floats: v.encod.values, shape: v.encod.shape)
        try file.write("test_recon_data", floats: v.recon!.values, shape: v.recon!.shape)
        try file.write("test_truth", floats: v.truth!.values, shape: v.truth!.shape)
        try file.write("test_output_params", floats: v.truth!.values.map { $0 + 0.05 }, shape: v.truth!.shape)
        try file.write("test_behavior", array: d.extras["valid_behavior"]!)
        try file.write("test_conds", array: d.extras["valid_conds"]!)
        // Different valid rates, so that scoring the wrong split would show.
        try file.remove("valid_output_params")
        try file.write("valid_output_params", floats: v.truth!.values.map { $0 + 0.3 }, shape: v.truth!.shape)
        file.close()

        let onTest = try NLBEvaluation.evaluate(outputPath: path)
        #expect(onTest.split == "test" && onTest.trials == v.trialCount)
        #expect(onTest.model == plain.model, "the same trials and rates give the same scores")
        let onValid = try NLBEvaluation.evaluate(outputPath: path, split: .valid)
        #expect(onValid.split == "valid" && onValid.model.coBPS != plain.model.coBPS)
        // A missing key of the scored split is named as that split's key.
        let edit = try HDF5File(path: path, mode: .readWrite)
        try edit.remove("test_conds")
        edit.close()
        let noConds = try NLBEvaluation.evaluate(outputPath: path)
        #expect(noConds.model.psthR2 == nil && noConds.notes.contains { $0.contains("test_conds") }, "\(noConds.notes)")
        #expect(!noConds.notes.contains { $0.contains("valid_") }, "\(noConds.notes)")
    }
}
