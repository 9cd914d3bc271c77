import Testing
import Foundation
import Engine

@Suite struct RngTests {
    @Test func sameSeedSameStreamDifferentStreamsDiffer() {
        var a = Rng(seed: 42), b = Rng(seed: 42), c = Rng(seed: 42, stream: 1), d = Rng(seed: 43)
        let sa = (0..<100).map { _ in a.next() }
        #expect(sa == (0..<100).map { _ in b.next() })
        #expect(sa != (0..<100).map { _ in c.next() })
        #expect(sa != (0..<100).map { _ in d.next() })
    }

    @Test func splitStreamsDifferFromParentAndEachOther() {
        var p = Rng(seed: 7)
        var c1 = p.split(), c2 = p.split()
        let x = (0..<50).map { _ in c1.next() }, y = (0..<50).map { _ in c2.next() }, z = (0..<50).map { _ in p.next() }
        #expect(x != y && x != z && y != z)
        var q = Rng(seed: 7)
        var q1 = q.split()
        #expect((0..<50).map { _ in q1.next() } == x)   // splitting is reproducible
    }

    @Test func saveRestoreResumesBitForBit() throws {
        var r = Rng(seed: 99)
        for _ in 0..<17 { _ = r.next() }
        let saved = try JSONEncoder().encode(r.state)
        var buf1 = [Float](repeating: 0, count: 33), buf2 = buf1
        buf1.withUnsafeMutableBufferPointer { r.fillNormal($0.baseAddress!, count: 33) }
        var restored = Rng(state: try JSONDecoder().decode(Rng.State.self, from: saved))
        buf2.withUnsafeMutableBufferPointer { restored.fillNormal($0.baseAddress!, count: 33) }
        #expect(buf1.map(\.bitPattern) == buf2.map(\.bitPattern))
        #expect(r == restored)
    }

    @Test func normalMomentsAndUniformRange() {
        var r = Rng(seed: 2024)
        let n = 100_000
        var buf = [Float](repeating: 0, count: n)
        buf.withUnsafeMutableBufferPointer { r.fillNormal($0.baseAddress!, count: n, mean: 1.5, std: 2) }
        let mean = buf.reduce(0.0) { $0 + Double($1) } / Double(n)
        let variance = buf.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n)
        #expect(abs(mean - 1.5) < 0.03)          // ~ 5 standard errors (2/sqrt(1e5) = 0.0063)
        #expect(abs(variance - 4) < 0.1)
        let within1 = buf.filter { abs(Double($0) - 1.5) < 2 }.count
        #expect(abs(Double(within1) / Double(n) - 0.6827) < 0.01)
        buf.withUnsafeMutableBufferPointer { r.fillUniform($0.baseAddress!, count: n, low: -1, high: 3) }
        #expect(buf.allSatisfy { $0 >= -1 && $0 < 3 })
        #expect(abs(buf.reduce(0.0) { $0 + Double($1) } / Double(n) - 1) < 0.03)
        buf.withUnsafeMutableBufferPointer { r.fillBernoulli($0.baseAddress!, count: n, p: 0.3, value: 2) }
        #expect(buf.allSatisfy { $0 == 0 || $0 == 2 })
        #expect(abs(Double(buf.filter { $0 == 2 }.count) / Double(n) - 0.3) < 0.01)
        let ints = (0..<10_000).map { _ in r.int(below: 7) }
        #expect(ints.allSatisfy { (0..<7).contains($0) } && Set(ints).count == 7)
    }
}
