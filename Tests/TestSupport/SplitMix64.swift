import Foundation

/// SplitMix64 for reproducible test data and fuzz passes (seeded; not for the product).
public struct SplitMix64 {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }
    public mutating func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform()) }
    public mutating func poisson(_ lambda: Double) -> Int {
        let limit = exp(-lambda)
        var k = 0, prod = uniform()
        while prod > limit { k += 1; prod *= uniform() }
        return k
    }
    /// Uniform in 0..<n (n > 0); n ≤ 1 gives 0 without drawing.
    public mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
}
