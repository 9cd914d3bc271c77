import Foundation
import Testing
import LFADSData
@testable import LFADSModel

@Suite struct StitchingAlignmentTests {
    /// Two sessions observe the same 3-d latent path through different neurons; after the PCR
    /// initialisation both sessions' readins map their activity to the same global coordinates.
    @Test func twoSessionsMapToTheSameGlobalCoordinates() throws {
        let rows = 120
        var rng = SeededRandom(seed: 11)
        var latent = [Double](repeating: 0, count: rows * 3)
        for r in 0..<rows {
            let t = Double(r)
            latent[r * 3] = sin(t * 0.11); latent[r * 3 + 1] = cos(t * 0.07 + 1); latent[r * 3 + 2] = 0.5 * sin(t * 0.23)
        }
        func session(_ n: Int) -> (values: [Double], neurons: Int) {
            let w = (0..<(3 * n)).map { _ in rng.uniform(-1, 1) }, b = (0..<n).map { _ in rng.uniform(0, 2) }
            var v = [Double](repeating: 0, count: rows * n)
            for r in 0..<rows {
                for j in 0..<n {
                    var x: Double = b[j] + 0.02 * rng.normal()
                    for d in 0..<3 { x += latent[r * 3 + d] * w[d * n + j] }
                    v[r * n + j] = x
                }
            }
            return (v, n)
        }
        let s1 = session(10), s2 = session(14)
        let fit = try StitchingAlignment.fit(psths: [s1, s2], components: 3, ridge: 1)
        #expect(fit.map(\.neurons) == [10, 14] && fit[0].readinWeight.count == 30 && fit[1].readoutBias.count == 14)
        func project(_ s: (values: [Double], neurons: Int), _ f: StitchingAlignment.Session) -> [Double] {
            var out = [Double](repeating: 0, count: rows * 3)
            for r in 0..<rows {
                for c in 0..<3 {
                    var acc: Double = 0
                    for j in 0..<s.neurons { acc += (s.values[r * s.neurons + j] - f.readoutBias[j]) * f.readinWeight[j * 3 + c] }
                    out[r * 3 + c] = acc
                }
            }
            return out
        }
        let p1 = project(s1, fit[0]), p2 = project(s2, fit[1])
        for c in 0..<3 {
            let a = stride(from: c, to: p1.count, by: 3).map { p1[$0] }, b = stride(from: c, to: p2.count, by: 3).map { p2[$0] }
            let ma = a.reduce(0, +) / Double(rows), mb = b.reduce(0, +) / Double(rows)
            let cov = zip(a, b).reduce(0.0) { $0 + ($1.0 - ma) * ($1.1 - mb) }
            let va = a.reduce(0.0) { $0 + ($1 - ma) * ($1 - ma) }, vb = b.reduce(0.0) { $0 + ($1 - mb) * ($1 - mb) }
            #expect(cov / (va * vb).squareRoot() > 0.98, "PC \(c): sessions disagree")
        }
        let means = (0..<10).map { j in (0..<rows).reduce(0.0) { $0 + s1.values[$1 * 10 + j] } / Double(rows) }
        #expect(zip(means, fit[0].readoutBias).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func badInputsAreOneLineErrors() {
        #expect(throws: StitchingError.self) { try StitchingAlignment.fit(psths: [], components: 2) }
        #expect(throws: StitchingError.self) { try StitchingAlignment.fit(psths: [([1, 2, 3, 4], 2), ([1, 2, 3], 1)], components: 2) }
        #expect(throws: StitchingError.self) { try StitchingAlignment.fit(psths: [([1, 2, 3, 4], 2)], components: 3) }
    }

    @Test func jacobiEigenRecoversAKnownSpectrum() {
        let (vals, vecs) = StitchingAlignment.symmetricEigen([2, 1, 0, 1, 2, 0, 0, 0, 5], n: 3)
        #expect(vals.sorted().enumerated().allSatisfy { abs($0.element - [1.0, 3, 5][$0.offset]) < 1e-10 })
        let i5 = vals.firstIndex { abs($0 - 5) < 1e-9 }!
        #expect(abs(abs(vecs[2 * 3 + i5]) - 1) < 1e-10)
    }
}
