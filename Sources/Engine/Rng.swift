import Foundation

/// Seeded, splittable, bit-for-bit reproducible random number generator
/// (xoshiro256** seeded through SplitMix64). A value type: copying it forks an identical stream,
/// and `state` / `init(state:)` save and restore it exactly (checkpoints resume bit-for-bit).
public struct Rng: Sendable, Equatable {
    /// The four 64-bit words of xoshiro256** state.
    public struct State: Codable, Sendable, Equatable {
        public var s0, s1, s2, s3: UInt64
        public init(s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64) {
            self.s0 = s0; self.s1 = s1; self.s2 = s2; self.s3 = s3
        }
    }

    private var s0, s1, s2, s3: UInt64

    /// A generator for `seed`; different `stream` values give independent streams for the same seed.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var sm = seed ^ (stream &* 0xD2B7_4407_B1CE_6E93)
        s0 = Rng.splitMix(&sm); s1 = Rng.splitMix(&sm); s2 = Rng.splitMix(&sm); s3 = Rng.splitMix(&sm)
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    /// Restores a generator from a saved state.
    public init(state: State) {
        s0 = state.s0; s1 = state.s1; s2 = state.s2; s3 = state.s3
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    /// The current state (save it to resume the stream exactly).
    public var state: State { State(s0: s0, s1: s1, s2: s2, s3: s3) }

    @inline(__always) static func splitMix(_ x: inout UInt64) -> UInt64 {
        x = x &+ 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always) static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Next raw 64-bit output.
    @inline(__always) public mutating func next() -> UInt64 {
        let result = Rng.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
        s3 = Rng.rotl(s3, 45)
        return result
    }

    /// A new independent generator derived from this one (advances this stream by one draw).
    public mutating func split() -> Rng {
        var sm = next() ^ 0x6A09_E667_F3BC_C909
        var child = Rng(seed: 0)
        child.s0 = Rng.splitMix(&sm); child.s1 = Rng.splitMix(&sm)
        child.s2 = Rng.splitMix(&sm); child.s3 = Rng.splitMix(&sm)
        return child
    }

    /// Uniform Double in [0, 1) with 53 random bits.
    @inline(__always) public mutating func uniformDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform Float in [0, 1) with 24 random bits.
    @inline(__always) public mutating func uniform() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// Uniform integer in 0..<n (n > 0), unbiased (Lemire's method).
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0, "Rng.int(below:) needs n > 0")
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// One standard normal draw (Box–Muller in Double, second value discarded).
    public mutating func normal() -> Double {
        let u1 = 1.0 - uniformDouble()          // (0, 1]
        let u2 = uniformDouble()
        return (-2.0 * Foundation.log(u1)).squareRoot() * Foundation.cos(2.0 * Double.pi * u2)
    }

    /// Fills `n` floats with N(mean, std²) (Box–Muller, both values of each pair used).
    public mutating func fillNormal(_ out: UnsafeMutablePointer<Float>, count n: Int,
                                    mean: Float = 0, std: Float = 1) {
        var i = 0
        while i < n {
            let u1 = 1.0 - uniformDouble()
            let u2 = uniformDouble()
            let r = (-2.0 * Foundation.log(u1)).squareRoot()
            let a = 2.0 * Double.pi * u2
            out[i] = mean + std * Float(r * Foundation.cos(a))
            if i + 1 < n { out[i + 1] = mean + std * Float(r * Foundation.sin(a)) }
            i += 2
        }
    }

    /// Fills `n` floats uniformly in [low, high).
    public mutating func fillUniform(_ out: UnsafeMutablePointer<Float>, count n: Int,
                                     low: Float = 0, high: Float = 1) {
        let w = high - low
        for i in 0..<n { out[i] = low + w * uniform() }
    }

    /// Fills `n` floats with `value` with probability `p`, else 0 (Bernoulli masks; use
    /// value = 1/(1−rate) and p = 1−rate for inverted dropout).
    public mutating func fillBernoulli(_ out: UnsafeMutablePointer<Float>, count n: Int,
                                       p: Float, value: Float = 1) {
        let threshold = UInt64(Double(max(0, min(1, p))) * 0x1.0p53)
        for i in 0..<n { out[i] = (next() >> 11) < threshold ? value : 0 }
    }
}
