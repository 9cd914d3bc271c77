#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, splittable, seedable PRNG (xoshiro256** seeded through SplitMix64).
///
/// Every PBT decision takes one of these explicitly; there is no global randomness.
/// The state is `Codable`, so a runtime can persist it and resume the exact stream.
public struct PBTRandom: RandomNumberGenerator, Codable, Equatable, Sendable {
    /// The four 64-bit words of xoshiro256** state (never all zero).
    public private(set) var state: [UInt64]

    /// Seeds the generator; equal seeds give equal streams.
    public init(seed: UInt64) {
        var sm = seed
        var s: [UInt64] = []
        for _ in 0..<4 { s.append(PBTRandom.splitMix64(&sm)) }
        if s.allSatisfy({ $0 == 0 }) { s[0] = 0x9E37_79B9_7F4A_7C15 }
        state = s
    }

    /// A generator derived from a seed and a path of keys (e.g. generation, worker).
    /// Lets a runtime make reproducible per-decision streams without storing state.
    public init(seed: UInt64, keys: [UInt64]) {
        var h = seed
        for k in keys {
            var m = h ^ (k &* 0xD1B5_4A32_D192_ED03)
            h = PBTRandom.splitMix64(&m)
        }
        self.init(seed: h)
    }

    static func splitMix64(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always) static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// Next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = PBTRandom.rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = PBTRandom.rotl(state[3], 45)
        return result
    }

    /// An independent child generator; advances this one.
    public mutating func split() -> PBTRandom {
        PBTRandom(seed: next())
    }

    /// Uniform double in [0, 1) with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform double in [a, b).
    public mutating func uniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * unit()
    }

    /// Uniform integer in 0..<n (n > 0), unbiased (rejection sampling written here, so the
    /// stream does not depend on the standard library's algorithm).
    public mutating func index(_ n: Int) -> Int {
        precondition(n > 0, "PBTRandom.index needs n > 0")
        let bound = UInt64(n)
        let limit = UInt64.max - (UInt64.max % bound + 1) % bound  // largest multiple of n, minus 1
        while true {
            let x = next()
            if x <= limit { return Int(x % bound) }
        }
    }

    /// True with probability p.
    public mutating func bernoulli(_ p: Double) -> Bool {
        unit() < p
    }

    /// Standard normal draw (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = 1.0 - unit()  // (0, 1]
        let u2 = unit()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * .pi * u2)
    }
}
