import Engine
import Foundation
import LFADSData
import LFADSMetrics
import Testing
@testable import LFADSModel

@Suite struct TrainerTests {
    func smallConfig() -> LFADSConfig {
        var c = Fixtures.tinyConfig()
        c.icEncDim = 8; c.ciEncDim = 4; c.conDim = 4; c.coDim = 1; c.icDim = 8; c.genDim = 16; c.facDim = 4
        c.batchSize = 8; c.dropoutRate = 0.05; c.cdRate = 0.2; c.lossScale = 1e4; c.lrInit = 1e-2
        c.klIcScale = 1e-5; c.klCoScale = 1e-5; c.l2GenScale = 1e-4; c.l2ConScale = 1e-4
        c.klIncreaseEpoch = 5; c.l2IncreaseEpoch = 5; c.spikeJitterWidth = 1
        return c
    }

    @Test func resumeIsBitForBit() throws {
        let data = try Fixtures.lorenz(conditions: 4, trialsPerCondition: 6, bins: 12, neurons: 8)
        let c = smallConfig()
        let straight = try Trainer(config: c, dataset: data)
        try straight.train(epochs: 4)

        let first = try Trainer(config: c, dataset: data)
        try first.train(epochs: 2)
        let path = Fixtures.tempDir() + "/half.ckpt"
        try first.saveCheckpoint(to: path)
        let resumed = try Trainer.resuming(from: path, dataset: data)
        #expect(resumed.epoch == 2)
        try resumed.train(epochs: 2)
        #expect(resumed.network.store.snapshotValues() == straight.network.store.snapshotValues())
        #expect(resumed.checkpoint() == straight.checkpoint())
    }

    @Test func pbtLoadKeepsWeightsAndAppliesNewLearningRate() throws {
        let data = try Fixtures.lorenz(conditions: 4, trialsPerCondition: 6, bins: 12, neurons: 8)
        let donor = try Trainer(config: smallConfig(), dataset: data)
        try donor.train(epochs: 2)
        let path = Fixtures.tempDir() + "/donor.ckpt"
        try donor.saveCheckpoint(to: path)

        var hp = smallConfig()
        hp.lrInit = 3e-4
        hp.klCoScale = 2e-5
        let worker = try Trainer(config: hp, dataset: data)
        try worker.loadCheckpoint(path, overridingHPs: true)
        #expect(worker.network.store.snapshotValues() == donor.network.store.snapshotValues())
        let viaBytes = try Trainer(config: hp, dataset: data)
        try viaBytes.restore(bytes: try donor.checkpointBytes(), overridingHPs: true)
        #expect(viaBytes.checkpoint() == worker.checkpoint())
        #expect(worker.epoch == 2 && worker.learningRate == 3e-4 && worker.config.klCoScale == 2e-5)
        let record = try worker.runEpoch()
        #expect(abs(record.learningRate - 3e-4) < 1e-9)

        var other = hp
        other.genDim = 17
        let mismatched = try Trainer(config: other, dataset: data)
        #expect(throws: CheckpointError.self) { try mismatched.loadCheckpoint(path, overridingHPs: true) }
        #expect(throws: CheckpointError.self) { try worker.loadCheckpoint(path, overridingHPs: false) }
    }

    @Test func nonFiniteLossStopsWithAClearError() throws {
        let data = try Fixtures.lorenz(conditions: 2, trialsPerCondition: 6, bins: 10, neurons: 6)
        let t = try Trainer(config: smallConfig(), dataset: data)
        let w = t.network.store.value(t.network.readoutB)
        w[0] = .nan
        #expect(throws: TrainingError.nonFinite(epoch: 0, what: "the training loss")) { try t.runEpoch() }
    }

    /// CI-sized quality check: a small model on a small Lorenz set recovers the true rates better than
    /// the smoothing baseline (and beats the null model in bits/spike); broken models do not.
    @Test func learnsLorenzBeyondSmoothing() throws {
        let data = try Fixtures.lorenz(conditions: 10, trialsPerCondition: 12, bins: 25, neurons: 20, logRateBias: 1.5)
        var c = smallConfig()
        c.batchSize = 16; c.spikeJitterWidth = 0; c.cdRate = 0.3; c.posteriorSamples = 4
        let untrained = try Trainer(config: c, dataset: data).posteriorOutputs(data.valid!, samples: 1).arrays["output_params"]!.values
        let t = try Trainer(config: c, dataset: data)
        let first = try t.runEpoch()
        let smoothed = try t.train(epochs: 24)
        #expect(smoothed < first.validRecon)
        let out = try t.posteriorOutputs(data.valid!)
        let rates = out.arrays["output_params"]!
        #expect(rates.shape == [data.valid!.trialCount, 25, 20])
        let bps = try PoissonMetrics.bitsPerSpike(counts: data.valid!.recon!.values, rates: rates.values, neurons: 20)
        let bar = QualityBar(train: data.train!, valid: data.valid!, fraction: QualityBar.lorenzFraction)
        let r2 = bar.r2(rates.values, data.valid!)
        print("valid bits/spike after \(t.epoch) epochs: \(bps), truth R² \(r2) (\(bar))")
        #expect(bps > 0.3)
        #expect(bar.isMet(by: r2), "truth R² \(r2): \(bar)")
        bar.expectBrokenModelsFail(trained: rates.values, untrained: untrained, data.valid!, "Lorenz")
    }
}

@Suite struct BenchmarkHelperTests {
    @Test func flopCountMatchesHandComputation() throws {
        var c = LFADSConfig()
        c.encodDataDim = 2; c.encodSeqLen = 3; c.reconDataDim = 2; c.reconSeqLen = 3
        c.icEncDim = 1; c.ciEncDim = 0; c.conDim = 0; c.coDim = 0; c.icDim = 1; c.genDim = 1; c.facDim = 1
        // fwd: IC enc 2 dirs·3 steps·2·1·3·(2+1)=108; ic_linear 2·2·2=8; g0 2·1·1=2; f_-1 2;
        // decoder 3·[gru(0,1)=6 + fac 2 + readout 4] = 36 → 156, training ×3 = 468.
        #expect(TrainingBenchmark.flopsPerStep(c, batch: 1) == 468)
    }
}
