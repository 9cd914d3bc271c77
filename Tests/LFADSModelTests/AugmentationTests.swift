import Engine
import Testing
@testable import LFADSModel

@Suite struct AugmentationTests {
    let shape = BatchShape(batch: 8, encodBins: 20, encodNeurons: 10, reconBins: 25, reconNeurons: 12)

    @Test func cdMasksAreComplementaryAndPadded() {
        var rng = Rng(seed: 3)
        var input = [Float](repeating: -1, count: shape.encodCount), grad = [Float](repeating: -1, count: shape.reconCount)
        CoordinatedDropout.draw(shape: shape, rate: 0.3, passRate: 0, icEncSeqLen: 0, rng: &rng, inputScale: &input, gradMask: &grad)
        var hidden = 0
        for t in 0..<shape.reconBins {
            for b in 0..<shape.batch {
                for n in 0..<shape.reconNeurons {
                    let g = grad[(t * shape.batch + b) * shape.reconNeurons + n]
                    if t >= shape.encodBins || n >= shape.encodNeurons { #expect(g == 1); continue }
                    let m = input[(t * shape.batch + b) * shape.encodNeurons + n]
                    #expect(m == 0 || abs(m - 1 / 0.7) < 1e-6)
                    #expect(g == (m == 0 ? 1 : 0), "gradient flows only where the input was hidden")
                    if m == 0 { hidden += 1 }
                }
            }
        }
        let frac = Double(hidden) / Double(shape.encodCount)
        #expect(abs(frac - 0.3) < 0.04)
    }

    @Test func cdPassRateAndZeroRate() {
        var rng = Rng(seed: 4)
        var input = [Float](repeating: 0, count: shape.encodCount), grad = [Float](repeating: 0, count: shape.reconCount)
        CoordinatedDropout.draw(shape: shape, rate: 0, passRate: 0, icEncSeqLen: 0, rng: &rng, inputScale: &input, gradMask: &grad)
        #expect(input.allSatisfy { $0 == 1 } && grad.allSatisfy { $0 == 1 })
        CoordinatedDropout.draw(shape: shape, rate: 0.5, passRate: 1, icEncSeqLen: 5, rng: &rng, inputScale: &input, gradMask: &grad)
        #expect(grad.allSatisfy { $0 == 1 }, "pass rate 1 lets every element pass gradient")
        #expect(input[0..<(5 * shape.batch * shape.encodNeurons)].allSatisfy { $0 == 1 }, "IC-only bins are not masked")
    }

    @Test func svMaskIsFixedPerSeedAndHasTheRightRate() {
        let a = SampleValidationMask(trials: 50, bins: 20, neurons: 10, rate: 0.2, seed: 0, stream: 0)
        let b = SampleValidationMask(trials: 50, bins: 20, neurons: 10, rate: 0.2, seed: 0, stream: 0)
        let c = SampleValidationMask(trials: 50, bins: 20, neurons: 10, rate: 0.2, seed: 1, stream: 0)
        #expect(a == b && a.mask != c.mask)
        let heldOut = Double(a.mask.filter { $0 == 0 }.count) / Double(a.mask.count)
        #expect(abs(heldOut - 0.2) < 0.03)
        var recon = [Float](repeating: -1, count: shape.reconCount)
        a.reconMask(trials: Array(0..<8), reconBins: 25, reconNeurons: 12, into: &recon)
        #expect(recon[(22 * 8 + 3) * 12 + 4] == 1 && recon[(2 * 8 + 3) * 12 + 11] == 1)
        #expect(recon[(2 * 8 + 3) * 12 + 4] == a.mask[(3 * 20 + 2) * 10 + 4])
        #expect(SampleValidationMask(trials: 2, bins: 2, neurons: 2, rate: 0, seed: 0, stream: 0).mask.allSatisfy { $0 == 1 })
    }

    @Test func jitterPreservesCountsPerNeuronTrialAndMovesSpikes() {
        let trials = 6, bins = 15, neurons = 5
        var rng = Rng(seed: 9)
        var data = (0..<(trials * bins * neurons)).map { _ in Float(Int.random(in: 0...3, using: &rng)) }
        let original = data
        var scratch: [Float] = []
        SpikeJitter.apply(&data, trials: trials, bins: bins, neurons: neurons, width: 2, rng: &rng, scratch: &scratch)
        #expect(data != original)
        for trial in 0..<trials {
            for n in 0..<neurons {
                let sum = { (d: [Float]) in (0..<bins).map { d[(trial * bins + $0) * neurons + n] }.reduce(0, +) }
                #expect(sum(data) == sum(original))
            }
        }
        #expect(data.allSatisfy { $0 >= 0 && $0 == $0.rounded() })
    }

    @Test func jitterReflectsAtEdgesAndIsSymmetric() {
        #expect(SpikeJitter.reflect(-2, bins: 10) == 2)
        #expect(SpikeJitter.reflect(11, bins: 10) == 7)
        #expect(SpikeJitter.reflect(4, bins: 10) == 4)
        // 4000 spikes in the middle bin of one neuron: offsets −2…2 each ≈ 1/5, none beyond.
        var data = [Float](repeating: 0, count: 21)
        data[10] = 4000
        var rng = Rng(seed: 1)
        var scratch: [Float] = []
        SpikeJitter.apply(&data, trials: 1, bins: 21, neurons: 1, width: 2, rng: &rng, scratch: &scratch)
        #expect(data[7] == 0 && data[13] == 0)
        for t in 8...12 { #expect(abs(data[t] - 800) < 100, "bin \(t) has \(data[t])") }
    }

    @Test func batchesAreSeededShuffledAndDropLast() {
        var r1 = Rng(seed: 5), r2 = Rng(seed: 5)
        let a = Batching.epochBatches(trials: 103, batchSize: 10, rng: &r1)
        #expect(a == Batching.epochBatches(trials: 103, batchSize: 10, rng: &r2))
        #expect(a.count == 10 && a.allSatisfy { $0.count == 10 })
        #expect(Set(a.joined()).count == 100 && a.joined().map { $0 } != Array(0..<100))
        #expect(Batching.sequentialBatches(trials: 25, batchSize: 10).map(\.count) == [10, 10, 5])
    }

    @Test func gatherIsTimeMajorAndScatterInverts() {
        let trials = 4, bins = 3, f = 2
        let src = (0..<(trials * bins * f)).map(Float.init)
        var out = [Float](repeating: 0, count: bins * 2 * f)
        Batching.gatherTimeMajor(src, trials: [2, 0], bins: bins, features: f, into: &out)
        // step t=1, batch row 0 = trial 2 bin 1 → src[(2·3+1)·2 ...]
        #expect(out[(1 * 2 + 0) * f] == src[(2 * 3 + 1) * f] && out[(1 * 2 + 1) * f + 1] == src[(0 * 3 + 1) * f + 1])
        var back = [Float](repeating: -1, count: src.count)
        Batching.scatterTrialMajor(out, trials: [2, 0], bins: bins, features: f, into: &back)
        for trial in [0, 2] { for i in 0..<(bins * f) { #expect(back[trial * bins * f + i] == src[trial * bins * f + i]) } }
    }
}
