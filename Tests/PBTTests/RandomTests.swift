import Foundation
import Testing
@testable import PBT

@Suite struct RandomTests {
    @Test func sameSeedSameStreamDifferentSeedDifferent() {
        var a = PBTRandom(seed: 42), b = PBTRandom(seed: 42), c = PBTRandom(seed: 43)
        let xa = (0..<100).map { _ in a.next() }
        let xb = (0..<100).map { _ in b.next() }
        let xc = (0..<100).map { _ in c.next() }
        #expect(xa == xb)
        #expect(xa != xc)
    }

    @Test func codableStateResumesTheStream() throws {
        var a = PBTRandom(seed: 9)
        _ = (0..<10).map { _ in a.next() }
        let data = try JSONEncoder().encode(a)
        var b = try JSONDecoder().decode(PBTRandom.self, from: data)
        #expect((0..<20).map { _ in a.next() } == (0..<20).map { _ in b.next() })
    }

    @Test func derivedStreamsDependOnKeys() {
        var a = PBTRandom(seed: 1, keys: [3, 4]), b = PBTRandom(seed: 1, keys: [3, 4])
        var c = PBTRandom(seed: 1, keys: [4, 3])
        let x = a.next()
        #expect(x == b.next())
        #expect(x != c.next())
    }

    @Test func unitIsInRangeWithMeanHalf() {
        var r = PBTRandom(seed: 5)
        let xs = (0..<20_000).map { _ in r.unit() }
        #expect(xs.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = xs.reduce(0, +) / Double(xs.count)
        #expect(abs(mean - 0.5) < 0.01)
        var counts = [Int](repeating: 0, count: 5)
        for _ in 0..<10_000 { counts[r.index(5)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 2000) < 200 })
    }

    @Test func splitGivesIndependentChild() {
        var parent = PBTRandom(seed: 11)
        var child = parent.split()
        let p = (0..<50).map { _ in parent.next() }
        let c = (0..<50).map { _ in child.next() }
        #expect(Set(p).isDisjoint(with: c))
    }
}

@Suite struct RandomStabilityTests {
    /// Pins the first outputs for seed 0 so a change of algorithm (which would silently change
    /// every stored run's decisions) fails loudly. Expected values were computed independently
    /// (a Python transcription of SplitMix64 → xoshiro256** with 64-bit masking).
    @Test func streamIsPinned() {
        var sm: UInt64 = 0
        #expect(PBTRandom.splitMix64(&sm) == 0xE220_A839_7B1D_CDAF)
        var r = PBTRandom(seed: 0)
        #expect((0..<3).map { _ in r.next() } == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
        var small = PBTRandom(seed: 0)
        let idx = (0..<1000).map { _ in small.index(3) }
        #expect(Set(idx) == [0, 1, 2])
    }
}
