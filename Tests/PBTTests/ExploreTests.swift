import Foundation
import Testing
@testable import PBT

@Suite struct ExploreTests {
    @Test func linearScaleStaysInOneMinusPToOnePlusPAwayFromOne() {
        let h = HyperparameterSpec(name: "x", min: 0, max: 10, initMode: .uniform, perturbation: 0.3)
        var r = PBTRandom(seed: 4)
        let scales = (0..<5000).map { _ in h.perturbationScale(using: &r) }
        #expect(scales.allSatisfy { $0 >= 0.7 && $0 <= 1.3 })
        #expect(scales.allSatisfy { abs($0 - 1) >= 0.002 * 0.3 - 1e-15 })
        #expect(scales.min()! < 0.72 && scales.max()! > 1.28)
        let up = Double(scales.filter { $0 > 1 }.count) / Double(scales.count)
        #expect(abs(up - 0.5) < 0.03)
    }

    @Test func logScaleIsSymmetricInLogSpace() {
        let h = HyperparameterSpec(name: "x", min: 0, max: 10, initMode: .uniform, perturbation: 0.8,
                                   perturbationSpace: .log)
        var r = PBTRandom(seed: 8)
        let logs = (0..<20_000).map { _ in log(h.perturbationScale(using: &r)) }
        let bound = log(1.8)
        #expect(logs.allSatisfy { abs($0) <= bound + 1e-12 && abs($0) >= log1p(0.0016) - 1e-12 })
        let mean = logs.reduce(0, +) / Double(logs.count)
        #expect(abs(mean) < 0.01)  // linear ±0.8 would give E[ln s] ≈ −0.18
        #expect(logs.max()! > bound * 0.98 && logs.min()! < -bound * 0.98)
    }

    @Test func limitedValuesStayInRangeAndUnlimitedStayNonNegative() {
        let lim = HyperparameterSpec(name: "cd", min: 0.01, max: 0.7, initMode: .fixed(0.5), perturbation: 0.8)
        let free = HyperparameterSpec(name: "kl", min: 1e-6, max: 1e-4, initMode: .logUniform,
                                      perturbation: 1.5, limit: false)
        var r = PBTRandom(seed: 12)
        var x = 0.69, y = 1e-4
        var maxY = 0.0
        for _ in 0..<2000 {
            x = lim.perturb(x, using: &r)
            #expect(x >= 0.01 && x <= 0.7)
            y = free.perturb(y, using: &r)
            #expect(y >= 0)
            maxY = max(maxY, y)
        }
        #expect(maxY > 1e-4)  // not limited: may leave the initial range upwards
    }

    @Test func clipsAfterMaxTriesWhenNoDrawFits() {
        // The range is narrower than the smallest step (0.002·p), so every draw misses and is clipped.
        let h = HyperparameterSpec(name: "x", min: 1, max: 1.0001, initMode: .fixed(1), perturbation: 0.9)
        var r = PBTRandom(seed: 1)
        for _ in 0..<200 {
            let v = h.perturb(1.00005, maxTries: 1, using: &r)
            #expect(v == 1 || v == 1.0001)
        }
    }

    @Test func listValuedHPsSnapToAllowedValues() {
        let h = HyperparameterSpec(name: "units", min: 8, max: 256, values: [8, 16, 32, 64, 128, 256],
                                   initMode: .choice, perturbation: 0.8)
        var r = PBTRandom(seed: 3)
        var seen = Set<Double>()
        var v = 64.0
        for _ in 0..<500 {
            v = h.perturb(v, using: &r)
            #expect([8, 16, 32, 64, 128, 256].contains(v))
            seen.insert(v)
        }
        #expect(seen.count >= 3)
        #expect(h.snap(40) == 32 && h.snap(48) == 32 && h.snap(49) == 64 && h.snap(1000) == 256)
    }

    @Test func notExplorableIsUnchangedAndResampleDrawsFromInit() {
        let s = SearchSpace([
            HyperparameterSpec(name: "a", min: 0, max: 1, initMode: .uniform, explorable: false),
            HyperparameterSpec(name: "b", min: 1e-5, max: 1e-3, initMode: .logUniform, perturbation: 0.01),
        ])
        var r = PBTRandom(seed: 6)
        var spread = Set<Int>()
        for _ in 0..<300 {
            let out = s.explore(["a": 0.25, "b": 5e-4, "other": 7], resampleProbability: 1, using: &r)
            #expect(out["a"] == 0.25 && out["other"] == 7)
            let b = out["b"]!
            #expect(b >= 1e-5 && b <= 1e-3)
            spread.insert(Int(floor(log10(b))))
        }
        #expect(spread == [-5, -4])  // resampled across the log range, not a 1% perturbation
    }
}
