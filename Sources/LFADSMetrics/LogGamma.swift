#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ln Γ(x) for x > 0. Uses a table of exact ln(k!) for small integers (the common case for counts)
/// and the C library's re-entrant `lgamma_r` otherwise.
public func logGamma(_ x: Double) -> Double {
    if x >= 1, x <= 129, x == x.rounded() {
        return logFactorialTable[Int(x) - 1]
    }
    #if canImport(Glibc)
    var sign: Int32 = 0
    return lgamma_r(x, &sign)
    #else
    return lgamma(x)
    #endif
}

/// ln(k!) for k = 0…128, accumulated as a sum of logarithms.
private let logFactorialTable: [Double] = {
    var table = [0.0]
    var acc = 0.0
    for k in 1...128 { acc += log(Double(k)); table.append(acc) }
    return table
}()
