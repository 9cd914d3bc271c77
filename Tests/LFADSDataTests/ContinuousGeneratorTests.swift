import Foundation
import Testing
@testable import LFADSData

@Suite struct ContinuousGeneratorTests {
    func smallEMG(seed: UInt64 = 0) -> EMGConfig {
        var c = EMGConfig(); c.seed = seed; c.conditions = 4; c.trialsPerCondition = 5; c.bins = 30; c.muscles = 6
        return c
    }

    @Test func emgIsDeterministicPositiveAndCentredOnTruth() throws {
        let a = try EMGGenerator.generate(smallEMG()), b = try EMGGenerator.generate(smallEMG())
        #expect(a.train!.encod.values == b.train!.encod.values)
        #expect(try EMGGenerator.generate(smallEMG(seed: 1)).train!.encod.values != a.train!.encod.values)
        let data = a.train!.encod.values + a.valid!.encod.values, truth = a.train!.truth!.values + a.valid!.truth!.values
        #expect(data.allSatisfy { $0 > 0 && $0.isFinite })
        #expect(data.contains { $0 != $0.rounded() }, "continuous, not counts")
        let mean = { (v: [Float]) in v.reduce(0.0) { $0 + Double($1) } / Double(v.count) }
        #expect(abs(mean(data) / mean(truth) - 1) < 0.05)
        // Gamma noise with shape 4: relative residual variance ≈ 1/4.
        let rel = zip(data, truth).map { Double(($0 - $1) / $1) }
        let v = rel.map { $0 * $0 }.reduce(0, +) / Double(rel.count)
        #expect(abs(v - 0.25) < 0.04, "relative variance \(v)")
    }

    @Test func gammaSamplerMatchesMoments() {
        var rng = SeededRandom(seed: 3)
        for shape in [0.5, 2.0, 7.0] {
            let xs = (0..<20000).map { _ in rng.gamma(shape: shape) }
            let m = xs.reduce(0, +) / Double(xs.count)
            let v = xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count)
            #expect(abs(m / shape - 1) < 0.03 && abs(v / shape - 1) < 0.08, "shape \(shape): mean \(m) var \(v)")
        }
    }

    @Test func calciumHasStaggeredSamplingEventsAndRateTruth() throws {
        var c = CalciumConfig(); c.conditions = 3; c.trialsPerCondition = 4; c.bins = 24; c.neurons = 5; c.stride = 3
        let d = try CalciumGenerator.generate(c)
        #expect(try CalciumGenerator.generate(c).train!.encod.values.elementsEqual(d.train!.encod.values) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        let s = d.train!
        for b in 0..<s.trialCount {
            for t in 0..<c.bins {
                for k in 0..<c.neurons {
                    let v = s.encod.values[(b * c.bins + t) * c.neurons + k]
                    #expect(v.isNaN == (t % c.stride != k % c.stride))
                    if !v.isNaN { #expect(v == 0 || v >= Float(c.threshold)) }
                }
            }
        }
        let sampled = s.encod.values.filter { !$0.isNaN }
        #expect(sampled.contains(0) && sampled.contains { $0 > 0 })
        #expect(s.truth!.values.allSatisfy { $0 > 0 && $0.isFinite })
        #expect(LFADSValidator.problems(in: d, path: "x", options: .init(allowMissing: true, requireCounts: false)).isEmpty)
        #expect(!LFADSValidator.problems(in: d, path: "x").isEmpty, "NaN is rejected unless allowed")
    }
}
