import Engine
import Foundation
import LFADSData
import LFADSMetrics
import Testing
@testable import LFADSModel

/// The per-generation co-bps PBT can optimise (`pbt.metric: valid_cobps`).
@Suite struct HeldOutMetricTests {
    /// Lorenz data in the lfads-torch layout with the last `heldOut` neurons held out of the encoder.
    func heldOutLorenz(heldOut: Int) throws -> LFADSDataset {
        var d = try Fixtures.lorenz(conditions: 4, trialsPerCondition: 10, bins: 16, neurons: 12)
        d.convention = .lfadsTorch
        for (name, s) in d.splits {
            let all = s.encod, keep = all.channels - heldOut
            var encod = Array3D(trials: all.trials, time: all.time, channels: keep)
            for b in 0..<all.trials { for t in 0..<all.time { for k in 0..<keep {
                encod.values[(b * all.time + t) * keep + k] = all.values[(b * all.time + t) * all.channels + k]
            } } }
            d.splits[name] = LFADSSplit(encod: encod, recon: all, truth: s.truth, latents: s.latents)
        }
        return d
    }

    @Test func coBitsPerSpikeScoresTheHeldOutNeuronsOfTheWindow() throws {
        let data = Fixtures.tinyDataset()   // 5 held-in, 7 recon neurons; 6 window bins of 8
        var c = Fixtures.tinyConfig()
        c.coDim = 0; c.conDim = 0; c.ciEncDim = 0
        let trainer = try Trainer(config: c, dataset: data)
        let score = try trainer.validCoBitsPerSpike()
        #expect(try trainer.validCoBitsPerSpike() == score, "deterministic: posterior means, no sampling")
        // Independently: the same rates, held-out columns 5 and 6 of the first 6 bins only.
        let rates = trainer.posteriorOutputs(trainer.valid, samples: 1, sample: false, seedStream: 0, session: 0).arrays["output_params"]!
        let v = data.valid!.recon!
        var counts: [Float] = [], predicted: [Float] = []
        for b in 0..<v.trials { for t in 0..<6 { for n in 5..<7 {
            counts.append(v.values[(b * 8 + t) * 7 + n]); predicted.append(rates.values[(b * 8 + t) * 7 + n])
        } } }
        // By the hand formula: Σ over held-out neurons of (NLL of the neuron's mean count − NLL of the rates) / spikes / ln 2.
        var nllModel = 0.0, nllNull = 0.0, spikes = 0.0
        for n in 0..<2 {
            let ys = stride(from: n, to: counts.count, by: 2).map { Double(counts[$0]) }
            let mean = ys.reduce(0, +) / Double(ys.count)
            for (k, i) in stride(from: n, to: counts.count, by: 2).enumerated() {
                let y = ys[k], lam = Double(predicted[i])
                nllModel += lam - y * log(lam); nllNull += mean - y * log(mean); spikes += y
            }
        }
        #expect(abs(score - (nllNull - nllModel) / spikes / log(2.0)) < 1e-9)
    }

    @Test func trainingRaisesCoBitsPerSpikeAboveTheMeanRate() throws {
        let data = try heldOutLorenz(heldOut: 3)
        var c = TrainerTests().smallConfig()
        c.spikeJitterWidth = 0
        let trainer = try Trainer(config: c, dataset: data)
        let before = try trainer.validCoBitsPerSpike()
        try trainer.train(epochs: 40)
        let after = try trainer.validCoBitsPerSpike()
        #expect(after > before + 0.05 && after > 0.05, "co-bps before \(before), after \(after)")
    }

    @Test func dataWithoutHeldOutNeuronsIsAClearError() throws {
        let trainer = try Trainer(config: Fixtures.tinyConfig(), dataset: try Fixtures.lorenz(conditions: 2, trialsPerCondition: 6, bins: 8, neurons: 6))
        #expect { try trainer.validCoBitsPerSpike() } throws: { "\($0)".contains("no held-out neurons") }
    }
}
