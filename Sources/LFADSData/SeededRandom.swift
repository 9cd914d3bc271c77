/// A small seeded PRNG (xoshiro256**, state filled by SplitMix64) with uniform, normal and
/// Poisson samplers. Its streams depend only on the seed, never on the platform.
public struct SeededRandom: Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    private static func rotl(_ v: UInt64, _ k: UInt64) -> UInt64 { (v << k) | (v >> (64 - k)) }

    /// Next raw 64-bit value.
    public mutating func next() -> UInt64 {
        let result = SeededRandom.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = SeededRandom.rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * uniform() }

    /// Uniform integer in 0..<n (n > 0).
    public mutating func int(below n: Int) -> Int { min(Int(uniform() * Double(n)), n - 1) }

    /// Standard normal (Marsaglia polar method; uses only sqrt and a platform-free log).
    public mutating func normal() -> Double {
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let q = u * u + v * v
            if q > 0 && q < 1 { return u * (-2 * DetMath.log(q) / q).squareRoot() }
        }
    }

    /// Poisson(λ) by inversion; large λ is split into pieces of at most 30 (sum of Poissons).
    public mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0, lambda.isFinite else { return 0 }
        var remaining = lambda, total = 0
        while remaining > 0 {
            let piece = min(remaining, 30)
            remaining -= piece
            total += poissonSmall(piece, expNeg: DetMath.exp(-piece))
        }
        return total
    }

    /// Poisson(λ) by inversion with a precomputed e^{−λ} (λ ≤ 30).
    public mutating func poissonSmall(_ lambda: Double, expNeg: Double) -> Int {
        let u = uniform()
        var k = 0, p = expNeg, cumulative = expNeg
        while u > cumulative && k < 1000 {
            k += 1
            p *= lambda / Double(k)
            cumulative += p
            if p < 1e-17 * cumulative && Double(k) > lambda { break }   // rounding tail: stop
        }
        return k
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var a = Array(0..<n)
        if n < 2 { return a }
        for i in stride(from: n - 1, to: 0, by: -1) { a.swapAt(i, int(below: i + 1)) }
        return a
    }
}
