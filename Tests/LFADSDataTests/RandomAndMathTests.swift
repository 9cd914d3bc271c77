import Foundation
import Testing
@testable import LFADSData

@Test func xoshiroStreamMatchesIndependentReference() {
    // First outputs for seed 0, computed with an independent Python SplitMix64 + xoshiro256**.
    var rng = SeededRandom(seed: 0)
    #expect([rng.next(), rng.next(), rng.next()] == [11091344671253066420, 13793997310169335082, 1900383378846508768])
}

@Test func deterministicMathMatchesLibm() {
    var maxRel = 0.0
    for i in -400...400 {
        let x = Double(i) * 0.173
        maxRel = max(maxRel, abs(DetMath.exp(x) - exp(x)) / exp(x))
        let y = exp(Double(i) * 0.05)
        maxRel = max(maxRel, abs(DetMath.log(y) - log(y)) / max(abs(log(y)), 1e-300))
        maxRel = max(maxRel, abs(DetMath.tanh(x / 20) - tanh(x / 20)) / max(abs(tanh(x / 20)), 1e-300))
    }
    #expect(maxRel < 1e-13)
    #expect(DetMath.exp(-800) == 0 && DetMath.exp(800) == .infinity && DetMath.log(0) == -.infinity)
}

@Test func samplersHaveTheRightMoments() {
    var rng = SeededRandom(seed: 7)
    let n = 20000
    for lambda in [0.05, 2.5, 45.0] {
        let draws = (0..<n).map { _ in Double(rng.poisson(lambda)) }
        let mean = draws.reduce(0, +) / Double(n)
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        #expect(abs(mean - lambda) < 4 * (lambda / Double(n)).squareRoot() + 1e-9, "λ \(lambda) mean \(mean)")
        #expect(abs(variance / lambda - 1) < 0.06, "λ \(lambda) variance \(variance)")
    }
    let z = (0..<n).map { _ in rng.normal() }
    let m = z.reduce(0, +) / Double(n)
    let v = z.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n)
    #expect(abs(m) < 0.03 && abs(v - 1) < 0.04)
    #expect(rng.permutation(10).sorted() == Array(0..<10))
}
