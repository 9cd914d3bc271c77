import Engine
import Foundation
import LFADSData
import LFADSMetrics
import Testing
@testable import LFADSModel

/// Multi-session stitching (one data file per session, shared dynamics): gradients through per-session readin/readout,
/// balanced batches, the mean-of-session-means loss, alignment init, resume, config errors.
@Suite struct StitchingTests {
    /// Two tiny sessions with different neuron counts (5→7 and 4→6) and trial counts, same bins.
    static func tinySessions() -> [LFADSDataset] {
        [Fixtures.tinyDataset(trials: 12, nEnc: 5, nRec: 7, seed: 1), Fixtures.tinyDataset(trials: 16, nEnc: 4, nRec: 6, seed: 2)]
    }

    /// Two small Lorenz sessions sharing latents (condition labels for the PCR init).
    static func lorenzSessions(trialsPerCondition: [Int] = [6, 5], bins: Int = 12, neurons: [Int] = [8, 11]) throws -> [LFADSDataset] {
        var c = LorenzConfig()
        c.conditions = 4; c.bins = bins; c.logRateBias = 2.5
        return try LorenzSessionsGenerator.generate(c, neurons: neurons, trialsPerCondition: trialsPerCondition)
    }

    static func stitchedConfig() -> LFADSConfig {
        var c = Fixtures.tinyConfig()
        c.readinDim = 4; c.pcrInit = false; c.svRate = 0.2
        return c
    }

    /// Finite differences through both sessions' readin, readout and the shared model: the
    /// checked output is every per-element loss term of both sessions' forward passes.
    @Test func stitchedGradientMatchesFiniteDifferences() throws {
        let (trainer, result) = try stitchedCheck(cdGradientMask: false)
        let store = trainer.network.store
        #expect(store.param(named: "session1.readin.w").map { [$0.rows, $0.cols] } == [4, 4])
        #expect(store.param(named: "session1.readout.w").map { [$0.rows, $0.cols] } == [6, 3])
        #expect(store.param(named: "readin.w") == nil && store.param(named: "readout.b") == nil)
        #expect(result.passed, "\(result)")
        #expect(result.checked > 400)
    }

    /// Negative control: with CD's gradient mask on, the backward is not the loss derivative.
    @Test func stitchedCheckDetectsTheCDMaskedGradient() throws {
        #expect(!(try stitchedCheck(cdGradientMask: true).1.passed))
    }

    func stitchedCheck(cdGradientMask: Bool) throws -> (Trainer, GradCheck.Result) {
        let trainer = try Trainer(config: Self.stitchedConfig(), datasets: Self.tinySessions())
        let store = trainer.network.store
        for s in 0..<2 {
            trainer.prepare(trainer.sessions[s].train, sv: trainer.sessions[s].svTrain, trials: Array(0..<6), training: true, session: s)
            let mask = trainer.sessions[s].inputs.gradMask
            if !cdGradientMask { trainer.sessions[s].inputs.gradMask = [Float](repeating: 1, count: mask.count) }
        }
        let params = store.entries.map { store.param(named: $0.name)! }
        let result = GradCheck.check(store: store, params: params, step: 1e-2, rtol: 5e-2, atolFraction: 1e-2, maxPerParam: 16) { tape, rng in
            let results = (0..<2).map {
                trainer.network.forward(tape: tape, inputs: trainer.sessions[$0].inputs, rng: &rng, training: true, sample: true,
                                        weights: LossWeights(rampL2: 1, rampKL: 1), collectTerms: true, session: $0)
            }
            return ForwardResult.mean(results, on: tape).terms.concatenated(on: tape)
        }
        return (trainer, result)
    }

    /// Every step takes the same number of trials from every session; the largest session's
    /// trials appear once per epoch, smaller sessions start over.
    @Test func batchesAreBalancedAcrossSessions() {
        var rng = Rng(seed: 3)
        let steps = Batching.sessionBatches(trials: [10, 25, 7], perSession: 4, rng: &rng)
        #expect(steps.count == 6)
        for step in steps {
            #expect(step.count == 3 && step.allSatisfy { $0.count == 4 })
            for (s, n) in [10, 25, 7].enumerated() { #expect(step[s].allSatisfy { $0 >= 0 && $0 < n } && Set(step[s]).count == 4) }
        }
        #expect(Set(steps.flatMap { $0[1] }).count == 24, "largest session: each trial at most once")
        #expect(Set(steps.flatMap { $0[2] }).count == 7, "smallest session: cycled, every trial seen")
        var again = Rng(seed: 3)
        #expect(Batching.sessionBatches(trials: [10, 25, 7], perSession: 4, rng: &again) == steps)
    }

    /// A stitched step's recon is the mean of the per-session means (not the pooled mean), and
    /// an epoch runs as many Adam steps as the session with most batches of batch_size/2.
    @Test func lossIsTheMeanOfSessionMeans() throws {
        var c = Self.stitchedConfig()
        c.dropoutRate = 0; c.cdRate = 0; c.svRate = 0
        let trainer = try Trainer(config: c, datasets: Self.tinySessions())
        let tape = Tape(store: trainer.network.store)
        var single: [ForwardResult] = []
        for (s, idx) in [Array(0..<2), Array(0..<6)].enumerated() {
            trainer.prepare(trainer.sessions[s].train, sv: trainer.sessions[s].svTrain, trials: idx, training: false, session: s)
            var rng = Rng(seed: 5)
            tape.reset()
            single.append(trainer.network.forward(tape: tape, inputs: trainer.sessions[s].inputs, rng: &rng, training: false,
                                                  sample: false, weights: LossWeights(rampL2: 1, rampKL: 1), session: s))
        }
        #expect(abs(single[0].reconHeldIn - single[1].reconHeldIn) > 1e-3, "sessions differ, so pooled ≠ mean of means")
        tape.reset()
        var rng = Rng(seed: 5)
        let both = (0..<2).map { s in
            trainer.network.forward(tape: tape, inputs: trainer.sessions[s].inputs, rng: &rng, training: false, sample: false,
                                    weights: LossWeights(rampL2: 1, rampKL: 1), session: s)
        }
        let r = ForwardResult.mean(both, on: tape)
        #expect(abs(r.reconHeldIn - (single[0].reconHeldIn + single[1].reconHeldIn) / 2) < 1e-9)
        let lossMean = (Double(tape.scalar(both[0].loss)) + Double(tape.scalar(both[1].loss))) / 2
        #expect(abs(Double(tape.scalar(r.loss)) - lossMean) < 1e-4 * abs(lossMean))
        try trainer.train(epochs: 1)
        #expect(trainer.optimizer.state.step == 16 / 3, "steps = full batches of 3 (= batch_size 6 / 2) in the 16-trial session")
        #expect(trainer.lastSessionValid.count == 2)
        #expect(abs(trainer.records[0].validRecon - trainer.lastSessionValid.reduce(0, +) / 2) < 1e-12)
    }

    /// PCR init: readin = alignment (b = −bias·W), readout = its transpose (fac_dim == readin_dim);
    /// do_train_readin 0 keeps the readins fixed while the rest trains.
    @Test func alignmentInitialisesAndFreezesTheReadins() throws {
        let data = try Self.lorenzSessions()
        var c = Fixtures.tinyConfig()
        c.readinDim = 3; c.facDim = 3; c.doTrainReadin = false
        let trainer = try Trainer(config: c, datasets: data)
        let align = try StitchingAlignment.sessions(for: data, components: 3)
        let store = trainer.network.store
        for s in 0..<2 {
            let n = data[s].encodNeurons, w = align[s].readinWeight
            let rw = store.value(store.param(named: "session\(s).readin.w")!), rb = store.value(store.param(named: "session\(s).readin.b")!)
            let ro = store.value(store.param(named: "session\(s).readout.w")!)
            for j in 0..<3 {
                let bias = -(0..<n).reduce(0.0) { $0 + align[s].readoutBias[$1] * w[$1 * 3 + j] }
                #expect(abs(Double(rb[j]) - bias) < 1e-5)
                for i in 0..<n {
                    #expect(rw[j * n + i] == Float(w[i * 3 + j]))
                    #expect(ro[i * 3 + j] == Float(w[i * 3 + j]))
                }
            }
        }
        let before = store.snapshotValues()
        let frozen = (0..<2).flatMap { s in ["w", "b"].map { store.param(named: "session\(s).readin.\($0)")! } }
        try trainer.train(epochs: 1)
        for p in frozen {
            let offset = store.entries[p.index].offset
            #expect(Array(store.value(p)) == Array(before[offset..<(offset + p.count)]))
        }
        #expect(store.snapshotValues() != before)
    }

    /// Alignment keys in the files take precedence over the PCR fit.
    @Test func alignmentFromFileKeys() throws {
        var data = try Self.lorenzSessions()
        for s in 0..<2 {
            let n = data[s].encodNeurons
            data[s].extras["alignment_matrix_cxf"] = HDF5Array(shape: [n, 2], dtype: .float64, values: (0..<(2 * n)).map { Double($0) / 10 })
            data[s].extras["alignment_bias_c"] = HDF5Array(shape: [n], dtype: .float64, values: [Double](repeating: 0.5, count: n))
        }
        let align = try StitchingAlignment.sessions(for: data, components: 2)
        #expect(align[1].readinWeight == (0..<22).map { Double($0) / 10 })
        #expect(throws: StitchingError.self) { _ = try StitchingAlignment.sessions(for: data, components: 3) }
    }

    /// A stitched model (PCR init, jitter, CD, SV) resumes bit-for-bit from a checkpoint.
    @Test func stitchedResumeIsBitForBit() throws {
        let data = try Self.lorenzSessions()
        var c = TrainerTests().smallConfig()
        c.readinDim = 4; c.svRate = 0.1
        let straight = try Trainer(config: c, datasets: data)
        try straight.train(epochs: 4)
        let first = try Trainer(config: c, datasets: data)
        try first.train(epochs: 2)
        let path = Fixtures.tempDir() + "/stitched.ckpt"
        try first.saveCheckpoint(to: path)
        let resumed = try Trainer.resuming(from: path, datasets: data)
        #expect(resumed.epoch == 2 && resumed.config.sessionEncodDims == [8, 11])
        try resumed.train(epochs: 2)
        #expect(resumed.network.store.snapshotValues() == straight.network.store.snapshotValues())
        #expect(resumed.checkpoint() == straight.checkpoint())
        #expect(throws: ConfigError.self) { _ = try Trainer.resuming(from: path, datasets: Array(data.reversed())) }
        #expect(throws: CheckpointError.self) { _ = try Trainer.resuming(from: path, datasets: [data[0]]) }
    }

    /// One-line errors: no readin, mismatched bins, wrong session dims, no condition labels.
    @Test func configErrors() throws {
        let data = Self.tinySessions()
        var c = Self.stitchedConfig()
        c.readinDim = 0
        #expect(throws: ConfigError.invalid(key: "readin_dim", reason: "must be > 0 when stitching 2 sessions (each session's readin maps its neurons to readin_dim shared inputs)")) {
            _ = try Trainer(config: c, datasets: data)
        }
        c.readinDim = 4
        let short = Fixtures.tinyDataset(tEnc: 5, tRec: 8, nEnc: 4, nRec: 6)
        #expect(throws: ConfigError.invalid(key: "encod_seq_len", reason: "differs between sessions: session 1 (b.h5) has 5, session 0 (a.h5) has 6; every session needs the same time bins and external inputs")) {
            _ = try Trainer(config: c, datasets: [data[0], short], names: ["a.h5", "b.h5"])
        }
        var dims = c
        try dims.set("session_encod_dims", to: "[5, 5]")
        #expect(dims.sessionEncodDims == [5, 5] && dims.value(of: "session_encod_dims") == "[5, 5]")
        #expect(throws: ConfigError.self) { _ = try Trainer(config: dims, datasets: data) }
        #expect(throws: ConfigError.self) { try dims.set("session_encod_dims", to: "[5, x]") }
        c.pcrInit = true
        #expect(throws: StitchingError.self) { _ = try Trainer(config: c, datasets: data) }
        let yaml = try LFADSConfig.fromYAML("readin_dim: 4\nsession_encod_dims: [5, 4]\nsession_recon_dims: [7, 6]\n")
        #expect(yaml.sessionReconDims == [7, 6])
        #expect(try LFADSConfig.fromYAML(yaml.yamlString()) == yaml)
    }

    /// The generator: shared latents, own neurons and trials per session, deterministic.
    @Test func sessionsGeneratorSharesLatents() throws {
        let a = try Self.lorenzSessions(), b = try Self.lorenzSessions()
        #expect(a == b)
        #expect(a.map(\.encodNeurons) == [8, 11] && a.map { $0.trialCount(.train) + $0.trialCount(.valid) } == [24, 20])
        let l0 = a[0].train!, l1 = a[1].train!
        let cond0 = a[0].extras["condition_labels_train"]!.values[0], cond1 = a[1].extras["condition_labels_train"]!.values
        let j = cond1.firstIndex(of: cond0)!
        #expect(Array(l0.latents!.values[0..<36]) == Array(l1.latents!.values[(j * 36)..<(j * 36 + 36)]))
        #expect(l0.truth != nil && l1.truth!.channels == 11)
    }
}

/// A CI-sized stitched run: in both sessions the rates recover the truth better than the smoothing
/// baseline of that session (broken models do not) and beat the null model in valid bits/spike, and
/// posterior sampling writes one output file per session.
@Suite(.serialized) struct StitchingTrainingTests {
    @Test func twoSessionModelFitsBothSessions() throws {
        var base = LorenzConfig()
        base.conditions = 8; base.bins = 30; base.logRateBias = 2.5
        let data = try LorenzSessionsGenerator.generate(base, neurons: [20, 30], trialsPerCondition: [12, 9])
        let epochs = 40
        var c = try ObservationTrainingTests.config([], epochs: epochs)
        c.readinDim = 8; c.posteriorSamples = 4
        let fresh = try Trainer(config: c, datasets: data)
        let untrained = try (0..<2).map { try fresh.posteriorOutputs(data[$0].valid!, samples: 1, session: $0).arrays["output_params"]!.values }
        let trainer = try Trainer(config: c, datasets: data)
        try trainer.train(epochs: epochs)
        for s in 0..<2 {
            let valid = data[s].valid!
            let rates = try trainer.posteriorOutputs(valid, samples: 4, session: s).arrays["output_params"]!.values
            let bps = try PoissonMetrics.bitsPerSpike(counts: valid.encod.values, rates: rates, neurons: valid.encod.channels)
            let bar = QualityBar(train: data[s].train!, valid: valid, fraction: QualityBar.stitchingFraction)
            let r2 = bar.r2(rates, valid)
            print("stitched session \(s): valid bits/spike \(bps), rate R² \(r2) (\(bar))")
            #expect(bps > 0.05, "session \(s) bits/spike \(bps)")
            #expect(bar.isMet(by: r2), "session \(s) truth R² \(r2): \(bar)")
            bar.expectBrokenModelsFail(trained: rates, untrained: untrained[s], valid, "stitched session \(s)")
        }
        let dir = Fixtures.tempDir()
        let paths = try data.indices.map { i -> String in
            let p = dir + "/sess\(i).h5"
            try LFADSWriter.write(data[i], to: p)
            return p
        }
        let outs = try trainer.writePosteriorOutputs(datasets: data, inputPaths: paths, outputDir: dir, samples: 2)
        #expect(outs == [dir + "/lfads_output_sess0.h5", dir + "/lfads_output_sess1.h5"])
        for (s, path) in outs.enumerated() {
            let file = try HDF5File(path: path)
            defer { file.close() }
            #expect(try file.readArray("valid_output_params").shape == [data[s].trialCount(.valid), 30, [20, 30][s]])
            #expect(try file.readArray("train_factors").shape == [data[s].trialCount(.train), 30, c.facDim])
        }
        #expect(throws: TrainingError.self) { _ = try trainer.writePosteriorOutputs(datasets: data, inputPaths: [paths[0], paths[0]], outputDir: dir) }
    }
}

/// The output-folder run (what `autolfads train --data a --data b` drives) resumes a stitched
/// model and writes one output file per session.
@Suite struct StitchingRunTests {
    @Test func stitchedTrainingRunResumesAndWritesEveryOutput() throws {
        let data = try StitchingTests.lorenzSessions()
        let dir = Fixtures.tempDir()
        let paths = try data.indices.map { i -> String in
            let p = dir + "/session_\(i).h5"
            try LFADSWriter.write(data[i], to: p)
            return p
        }
        var c = TrainerTests().smallConfig()
        c.readinDim = 4; c.posteriorSamples = 2
        let out = dir + "/run"
        let first = try TrainingRun(config: c, datasets: data, dataPaths: paths, outputDir: out, start: .fresh)
        try first.run(maxEpochs: 2)
        let resumed = try TrainingRun(config: LFADSConfig(), datasets: data, dataPaths: paths, outputDir: out, start: .resume)
        #expect(resumed.trainer.epoch == 2 && resumed.trainer.config.sessionEncodDims == [8, 11])
        try resumed.run(maxEpochs: 1)
        let files = try resumed.writeOutputs(datasets: data)
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["lfads_output_session_0.h5", "lfads_output_session_1.h5"])
        #expect(try String(contentsOfFile: out + "/config.yaml", encoding: .utf8).contains("session_encod_dims: [8, 11]"))
        #expect(throws: CheckpointError.self) {
            _ = try TrainingRun(config: c, datasets: [data[0]], dataPaths: [paths[0]], outputDir: out, start: .resume)
        }
    }
}
