/// exp, log and tanh written with only +, −, ×, ÷ and exact power-of-two scaling, so the
/// synthetic generators give bit-identical results on every platform and libm.
/// Accuracy is a few ulp, ample for simulation.
enum DetMath {
    static let ln2 = 0.6931471805599453
    private static let ln2Hi = 0.693147180369123816490   // Cody–Waite split of ln 2
    private static let ln2Lo = 1.90821492927058770002e-10

    static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.78 { return .infinity }
        if x < -745.1 { return 0 }
        let k = (x / ln2).rounded()
        let r = (x - k * ln2Hi) - k * ln2Lo          // |r| ≤ 0.35
        var p = 1.0
        for i in stride(from: 15, through: 1, by: -1) { p = 1 + p * r / Double(i) }   // Taylor, Horner form
        return scale(p, Int(k))
    }

    /// p · 2^k without calling libm (splits huge k to stay in range).
    private static func scale(_ p: Double, _ k: Int) -> Double {
        var result = p, k = k
        while k > 1000 { result *= Double(sign: .plus, exponent: 1000, significand: 1); k -= 1000 }
        while k < -1000 { result *= Double(sign: .plus, exponent: -1000, significand: 1); k += 1000 }
        return result * Double(sign: .plus, exponent: k, significand: 1)
    }

    static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x.isInfinite { return x }
        var e = Int(x.exponent)
        var m = x.significand                       // exact: x = m · 2^e, m ∈ [1, 2)
        if m > 1.4142135623730951 { m /= 2; e += 1 }
        let s = (m - 1) / (m + 1)                   // |s| ≤ 0.172
        let s2 = s * s
        var sum = 0.0
        for i in stride(from: 29, through: 1, by: -2) { sum = 1 / Double(i) + s2 * sum }
        return Double(e) * ln2 + 2 * s * sum
    }

    static func tanh(_ x: Double) -> Double {
        if x > 20 { return 1 }
        if x < -20 { return -1 }
        if abs(x) < 1e-4 { return x - x * x * x / 3 }
        let e = exp(2 * x)
        return (e - 1) / (e + 1)
    }
}
