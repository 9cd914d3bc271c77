import Engine
import Testing
@testable import LFADSModel

@Suite struct GradientTests {
    /// Whole-model finite-difference check: controller, external inputs, forward-prediction
    /// steps, held-out neurons, CD input mask, SV, dropout, sampling, KL (AR(1) prior) and L2 on,
    /// on two datasets (the second with a linear readin), with and without IC-only bins. The
    /// checked output is every per-element loss term side by side (Float32 sums would hide small
    /// gradients). CD's gradient mask is set to 1 here because it deliberately is not the true
    /// gradient (see the next tests).
    @Test(arguments: [(UInt64(1), 0, 0), (1, 2, 0), (2, 0, 4), (2, 2, 4)])
    func wholeModelGradientMatchesFiniteDifferences(seed: UInt64, icEncSeqLen: Int, readinDim: Int) throws {
        let (trainer, params) = try checkedModel(seed: seed, icEncSeqLen: icEncSeqLen, readinDim: readinDim, cdGradientMask: false)
        let result = check(trainer, params)
        #expect(result.passed, "\(result)")
        #expect(result.checked > 400)
    }

    /// Negative control: with CD's gradient mask on, the backward is no longer the derivative of
    /// the loss value, and the same check must notice.
    @Test func checkDetectsTheCDMaskedGradient() throws {
        let (trainer, params) = try checkedModel(seed: 1, icEncSeqLen: 0, cdGradientMask: true)
        #expect(!check(trainer, params).passed)
    }

    func checkedModel(seed: UInt64, icEncSeqLen: Int, readinDim: Int = 0, cdGradientMask: Bool) throws -> (Trainer, [Param]) {
        var c = Fixtures.tinyConfig()
        c.readinDim = readinDim
        c.svRate = 0.2
        c.icEncSeqLen = icEncSeqLen
        let trainer = try Trainer(config: c, dataset: Fixtures.tinyDataset(seed: seed))
        #expect(trainer.config.reconSeqLen > trainer.config.encodSeqLen && trainer.config.reconDataDim > trainer.config.encodDataDim)
        trainer.prepare(trainer.train, sv: trainer.svTrain, trials: Array(0..<6), training: true)
        #expect(trainer.inputs.encod.contains(0) && trainer.inputs.gradMask.contains(0), "CD masked some inputs")
        if !cdGradientMask { for i in 0..<trainer.inputs.gradMask.count { trainer.inputs.gradMask[i] = 1 } }
        let store = trainer.network.store
        // With IC-only bins the IC encoder runs 2 steps from a zero state: its recurrent kernel's
        // gradient is below Float32 finite-difference resolution, so it is checked in the 0 case.
        let params = store.entries.filter { icEncSeqLen == 0 || !$0.name.hasPrefix("ic_enc.") || !$0.name.hasSuffix("whh") }
            .map { store.param(named: $0.name)! }
        return (trainer, params)
    }

    func check(_ trainer: Trainer, _ params: [Param]) -> GradCheck.Result {
        GradCheck.check(store: trainer.network.store, params: params, step: 1e-2, rtol: 5e-2, atolFraction: 1e-2,
                        maxPerParam: 24) { tape, rng in
            trainer.network.forward(tape: tape, inputs: trainer.inputs, rng: &rng, training: true, sample: true,
                                    weights: LossWeights(rampL2: 1, rampKL: 1), collectTerms: true).terms.concatenated(on: tape)
        }
    }

    /// The CD gradient mask blocks exactly the elements the encoder saw: a neuron whose mask is
    /// zero everywhere gets no readout-bias gradient, the others do.
    @Test func cdGradientMaskBlocksSeenElements() throws {
        var config = Fixtures.tinyConfig()
        config.dropoutRate = 0
        let trainer = try Trainer(config: config, dataset: Fixtures.tinyDataset())
        let c = trainer.config
        trainer.prepare(trainer.train, sv: trainer.svTrain, trials: Array(0..<6), training: false)
        for t in 0..<c.reconSeqLen { for b in 0..<6 { trainer.inputs.gradMask[(t * 6 + b) * c.reconDataDim + 1] = 0 } }
        let tape = Tape(store: trainer.network.store)
        var rng = Rng(seed: 1)
        let r = trainer.network.forward(tape: tape, inputs: trainer.inputs, rng: &rng, training: true, sample: false,
                                        weights: LossWeights(rampL2: 0, rampKL: 0))
        tape.backward(r.loss)
        let g = trainer.network.store.grad(trainer.network.readoutB)
        #expect(g[1] == 0)
        #expect(g[0] != 0 && g[2] != 0 && g[c.reconDataDim - 1] != 0)
    }
}

/// The whole-model check for each continuous observation model, and with missing targets.
@Suite struct ObservationGradientTests {
    @Test(arguments: [ObservationModel.gaussian, .mse, .gamma, .zig])
    func wholeModelGradientPerObservationModel(model: ObservationModel) throws {
        var c = Fixtures.tinyConfig()
        c.reconstruction = model; c.svRate = 0.2; c.gammaLoc = model == .zig ? 0.1 : 0
        c.scalePenalty = 0.3; c.scaleInit = 2
        let trainer = try Trainer(config: c, dataset: Fixtures.tinyDataset(seed: 3, continuous: model == .gamma))
        #expect(trainer.network.store.entries.contains { $0.name == "zig.scale_alpha" } == (model == .zig))
        let t = GradientTests()
        trainer.prepare(trainer.train, sv: trainer.svTrain, trials: Array(0..<6), training: true)
        for i in 0..<trainer.inputs.gradMask.count { trainer.inputs.gradMask[i] = 1 }
        let params = trainer.network.store.entries.map { trainer.network.store.param(named: $0.name)! }
        let result = t.check(trainer, params)
        #expect(result.passed, "\(result)")
        #expect(result.checked > 400)
    }

    /// A likelihood written outside the library (squared error with a learned per-neuron gain and a pull of
    /// the gain to 1) plugs in through `ObservationLikelihood` alone: its parameter joins the model, the
    /// whole-model gradient check passes with its penalty, and the posterior rates are its means.
    @Test func aLikelihoodDefinedOutsideTheLibraryTrainsAndSamples() throws {
        struct GainSquaredError: ObservationLikelihood {
            var name: String { "gain_mse" }
            var parameterNames: [String] { ["mean"] }
            func extraParameters(store: ParameterStore, prefix: String, neurons: Int, config: LFADSConfig) -> [Param] {
                [store.add(prefix + "gain", rows: 1, cols: neurons, init: .constant(1.5))]
            }
            func distribution(tape: Tape, raw: [Tensor], extra: [Param]) -> [Tensor] { [tape.mul(raw[0], tape.param(extra[0]))] }
            func nll(tape: Tape, params: [Tensor], target: Tensor, gradientMask: Tensor?, config: LFADSConfig) -> Tensor {
                masked(tape.squaredError(mean: params[0], target: target), gradientMask, tape: tape)
            }
            func penalty(tape: Tape, extra: [Param], config: LFADSConfig) -> Tensor? {
                tape.scale(tape.sum(tape.square(tape.addScalar(tape.param(extra[0]), -1))), 0.2)
            }
            func addMeans(of params: [UnsafeMutableBufferPointer<Float>], count: Int, to sums: UnsafeMutableBufferPointer<Float>,
                          offset: Int, config: LFADSConfig) {
                for i in 0..<count { sums[offset + i] += params[0][i] + 100 }   // + 100: the rates show it was called
            }
            func readoutBias(mean: Double, variance: Double, nonZero: Double) -> [Double?] { [mean] }
        }
        var c = Fixtures.tinyConfig()
        c.reconstruction = ObservationModel(GainSquaredError())
        let data = Fixtures.tinyDataset(seed: 5, continuous: true)
        let trainer = try Trainer(config: c, dataset: data)
        #expect(trainer.network.store.entries.contains { $0.name == "gain" })
        trainer.prepare(trainer.train, sv: trainer.svTrain, trials: Array(0..<6), training: true)
        for i in 0..<trainer.inputs.gradMask.count { trainer.inputs.gradMask[i] = 1 }
        let params = trainer.network.store.entries.map { trainer.network.store.param(named: $0.name)! }
        let result = GradientTests().check(trainer, params)
        #expect(result.passed && result.checked > 100, "\(result)")
        try trainer.train(epochs: 2)
        let valid = try #require(data.valid)
        let rates = try #require(try trainer.posteriorOutputs(valid, samples: 2).arrays["output_params"])
        #expect(rates.values.allSatisfy { $0.isFinite && $0 > 50 } && rates.shape.last == 7, "the likelihood's means: \(rates.shape)")
    }

    /// 30% missing targets: the check still passes, and the loss does not depend on the
    /// missing entries' filler values.
    @Test func wholeModelGradientWithMissingTargets() throws {
        var c = Fixtures.tinyConfig()
        c.allowMissing = true
        let trainer = try Trainer(config: c, dataset: Fixtures.tinyDataset(seed: 4, missingFraction: 0.3))
        trainer.prepare(trainer.train, sv: trainer.svTrain, trials: Array(0..<6), training: true)
        #expect(trainer.inputs.hasMissing)
        for i in 0..<trainer.inputs.gradMask.count { trainer.inputs.gradMask[i] = 1 }
        let params = trainer.network.store.entries.map { trainer.network.store.param(named: $0.name)! }
        let result = GradientTests().check(trainer, params)
        #expect(result.passed, "\(result)")
        func loss() -> Float {
            let tape = Tape(store: trainer.network.store)
            var rng = Rng(seed: 9)
            return tape.scalar(trainer.network.forward(tape: tape, inputs: trainer.inputs, rng: &rng, training: true, sample: true,
                                                       weights: LossWeights(rampL2: 1, rampKL: 1)).loss)
        }
        let before = loss()
        for i in 0..<trainer.inputs.recon.count where trainer.inputs.observed[i] == 0 { trainer.inputs.recon[i] = 7 }
        #expect(loss() == before)
    }
}
