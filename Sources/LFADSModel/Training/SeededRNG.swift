import Foundation

/// Small seeded generator (xoshiro256**, seeded through SplitMix64) with a serialisable state.
public struct SeededRNG: RandomNumberGenerator, Codable, Equatable, Sendable {
    public private(set) var state: [UInt64]

    /// A generator for `seed` on independent `stream` (distinct streams give unrelated sequences).
    public init(seed: UInt64, stream: UInt64 = 0) {
        var s = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        state = (0..<4).map { _ in Self.splitMix(&s) }
    }

    /// Restores a generator from `state` (4 words, not all zero).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        self.state = state
    }

    static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        let result = ((state[1] &* 5) << 7 | (state[1] &* 5) >> 57) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]; state[3] ^= state[1]; state[1] ^= state[2]; state[0] ^= state[3]
        state[2] ^= t
        state[3] = state[3] << 45 | state[3] >> 19
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    @inline(__always) public mutating func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform integer in `lower...upper`.
    public mutating func int(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Float {
        let u1 = max(Double(next() >> 11) * 0x1p-53, 1e-300), u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }

    /// A child generator derived from this one (advances this one).
    public mutating func split() -> SeededRNG { SeededRNG(seed: next(), stream: next()) }
}

