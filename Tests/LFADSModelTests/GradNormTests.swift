import Engine
import Foundation
import Testing
@testable import LFADSModel

/// The pre-clipping global gradient norm the trainer logs (`grad_norm`, `grad_norm_max`).
@Suite struct GradNormTests {
    func config(maxGradNorm: Double) -> LFADSConfig {
        var c = TrainerTests().smallConfig()
        c.maxGradNorm = maxGradNorm
        return c
    }

    /// √(Σ g²) over every trainable parameter, summed in Double straight from the gradient buffer.
    func independentNorm(_ store: ParameterStore) -> Double {
        var total = 0.0
        for e in store.entries where e.trainable {
            for j in e.offset..<(e.offset + e.count) { total += Double(store.grads[j]) * Double(store.grads[j]) }
        }
        return total.squareRoot()
    }

    @Test func loggedNormIsTheGradientNormBeforeClipping() throws {
        let data = try Fixtures.lorenz(conditions: 4, trialsPerCondition: 6, bins: 12, neurons: 8)
        let weights = LossWeights(rampL2: 1, rampKL: 1)
        let idx = Array(0..<8)
        // No clipping: the gradients left in the store are the raw ones.
        let free = try Trainer(config: config(maxGradNorm: 1e12), dataset: data)
        try free.trainStep(free.train, trials: idx, weights: weights)
        let raw = independentNorm(free.network.store)
        #expect(raw.isFinite && raw > 0)
        #expect(abs(Double(free.lastGradNorm) - raw) <= 1e-4 * raw, "logged \(free.lastGradNorm), computed \(raw)")

        // The same step with a tight clip: the store holds clipped gradients, the logged norm is the raw one.
        let clipped = try Trainer(config: config(maxGradNorm: raw / 10), dataset: data)
        try clipped.trainStep(clipped.train, trials: idx, weights: weights)
        #expect(abs(independentNorm(clipped.network.store) - raw / 10) <= 1e-3 * raw)
        #expect(abs(Double(clipped.lastGradNorm) - raw) <= 1e-4 * raw)
    }

    @Test func epochRecordHasMeanAndMaxOfTheSteps() throws {
        let data = try Fixtures.lorenz(conditions: 4, trialsPerCondition: 6, bins: 12, neurons: 8)
        // One step per epoch (batch ≥ trials): mean = max = that step's norm.
        var one = config(maxGradNorm: 200)
        one.batchSize = 1000
        let t = try Trainer(config: one, dataset: data)
        let r = try t.runEpoch()
        #expect(r.gradNorm.isFinite && r.gradNorm > 0)
        #expect(r.gradNorm == Double(t.lastGradNorm) && r.gradNormMax == r.gradNorm)
        // Several steps: 0 < mean ≤ max.
        let many = try Trainer(config: config(maxGradNorm: 200), dataset: data)
        let r2 = try many.runEpoch()
        #expect(r2.gradNorm > 0 && r2.gradNorm <= r2.gradNormMax && r2.gradNormMax.isFinite)
        #expect(r2.tensorBoardScalars(columns: ["grad_norm", "grad_norm_max"]).map(\.value) == [r2.gradNorm, r2.gradNormMax])
        let line = r2.csvLine.split(separator: ",", omittingEmptySubsequences: false)
        let header = EpochRecord.csvHeader.split(separator: ",")
        #expect(line.count == header.count && header.suffix(2) == ["grad_norm", "grad_norm_max"])
        #expect(Double(line[header.firstIndex(of: "grad_norm")!]).map { abs($0 - r2.gradNorm) <= 1e-7 * r2.gradNorm } == true)
    }
}
