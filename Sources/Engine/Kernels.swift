import Foundation

/// Element-wise math written so the optimiser can vectorise loops that call it (no libm calls).
public enum FastMath {
    /// exp(x) with ~2 ulp error; inputs are clamped to [−87.3, 88.3] (no inf/denormals).
    @inline(__always) public static func exp(_ x: Float) -> Float {
        let xc = Swift.min(Swift.max(x, -87.3), 88.3)
        // Round xc·log2(e) to the nearest integer with the 1.5·2^23 trick (no libm, vectorises).
        let shifted = xc * 1.442695041 + 12582912.0
        let k = shifted - 12582912.0
        let r = xc - k * 0.693145751953125 - k * 1.428606765330187e-6
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r * r + r + 1
        let kbits = shifted.bitPattern &- 0x4B40_0000
        let scale = Float(bitPattern: (kbits &+ 127) << 23)
        return p * scale
    }

    /// Logistic sigmoid 1/(1+e^−x).
    @inline(__always) public static func sigmoid(_ x: Float) -> Float {
        1 / (1 + exp(-x))
    }

    /// tanh(x): odd Taylor polynomial near 0, (1−e^−2|x|)/(1+e^−2|x|) elsewhere.
    @inline(__always) public static func tanh(_ x: Float) -> Float {
        let ax = Swift.abs(x)
        let e = exp(-2 * ax)
        let big = (1 - e) / (1 + e)
        let x2 = x * x
        let small = ax * (1 + x2 * (-0.333333333 + x2 * (0.133333333 + x2 * -0.053968254)))
        let t = ax < 0.125 ? small : big
        return x < 0 ? -t : t
    }
}

/// log(k!) for small integer counts (Poisson NLL constant term).
enum LogFactorial {
    static let table: [Float] = {
        var t = [Float](repeating: 0, count: 256)
        var acc = 0.0
        for k in 1..<256 { acc += Foundation.log(Double(k)); t[k] = Float(acc) }
        return t
    }()

    /// lgamma(y + 1), exact table for integer y in 0..<256.
    @inline(__always) static func of(_ y: Float) -> Float {
        if y >= 0, y < 256, y == y.rounded(.down) { return table[Int(y)] }
        return Float(Special.lgamma(Double(y) + 1))
    }
}

/// Special functions for likelihoods (Double precision).
public enum Special {
    /// ln Γ(x) for x > 0.
    public static func lgamma(_ x: Double) -> Double { Foundation.lgamma(x) }

    /// Digamma ψ(x) = d/dx ln Γ(x) for x > 0 (recurrence to x ≥ 6, then asymptotic series).
    public static func digamma(_ x: Double) -> Double {
        var x = x
        var result = 0.0
        if x <= 0 && x == x.rounded(.down) { return .nan }
        if x < 0 {
            // Reflection: ψ(1−x) − ψ(x) = π cot(πx)
            return digamma(1 - x) - Double.pi / Foundation.tan(Double.pi * x)
        }
        while x < 6 { result -= 1 / x; x += 1 }
        let inv = 1 / x
        let inv2 = inv * inv
        let series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 / 132))))
        return result + Foundation.log(x) - 0.5 * inv - series
    }
}
