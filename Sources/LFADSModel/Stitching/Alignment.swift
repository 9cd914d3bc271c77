import Foundation

/// Multi-session alignment initialisation (lfads-torch's "PCR" recipe): condition-averaged,
/// smoothed activity of all sessions is concatenated over neurons, mean-centred and reduced to
/// `components` global PCs; each session's readin is a ridge regression of its centred activity
/// onto those PCs, its readout bias the per-neuron mean. Pure functions (Double precision).
public enum StitchingAlignment {
    /// One session's initialisation: `readinWeight` N_s×K row-major (lfads-torch `readin_weight`),
    /// `readoutBias` N_s (lfads-torch `readout_bias`).
    public struct Session: Equatable, Sendable {
        public var neurons: Int
        public var readinWeight: [Double]
        public var readoutBias: [Double]
    }

    /// - Parameters:
    ///   - psths: per session, condition averages as rows (C·T) × N_s row-major; every session
    ///     must have the same rows (same conditions and bins, in the same order).
    ///   - components: K global PCs (≤ total neurons).
    ///   - ridge: ridge penalty α (LT uses 1).
    /// - Throws: `StitchingError` for empty input, mismatched rows or K out of range.
    public static func fit(psths: [(values: [Double], neurons: Int)], components k: Int, ridge: Double = 1) throws -> [Session] {
        guard let rows = psths.first.map({ $0.values.count / max($0.neurons, 1) }), rows > 1 else {
            throw StitchingError("give at least one session with two or more condition-average rows")
        }
        for (i, p) in psths.enumerated() where p.neurons <= 0 || p.values.count != rows * p.neurons {
            throw StitchingError("session \(i) has \(p.values.count) values, expected \(rows) rows × \(p.neurons) neurons (same conditions and bins in every session)")
        }
        let total = psths.reduce(0) { $0 + $1.neurons }
        guard k > 0 && k <= total else { throw StitchingError("components must be in 1...\(total) (got \(k))") }
        // Centred, concatenated matrix X (rows × total).
        var means: [[Double]] = [], x = [Double](repeating: 0, count: rows * total)
        var col0 = 0
        for p in psths {
            let m = (0..<p.neurons).map { j in (0..<rows).reduce(0.0) { $0 + p.values[$1 * p.neurons + j] } / Double(rows) }
            means.append(m)
            for r in 0..<rows { for j in 0..<p.neurons { x[r * total + col0 + j] = p.values[r * p.neurons + j] - m[j] } }
            col0 += p.neurons
        }
        // PCs from the covariance's top-K eigenvectors; scores P = X·V (rows × K).
        let cov = gram(x, rows: rows, cols: total)
        let (vals, vecs) = symmetricEigen(cov, n: total)
        let order = (0..<total).sorted { vals[$0] > vals[$1] }.prefix(k)
        var scores = [Double](repeating: 0, count: rows * k)
        for r in 0..<rows {
            for (c, e) in order.enumerated() {
                var s = 0.0
                for j in 0..<total { s += x[r * total + j] * vecs[j * total + e] }
                scores[r * k + c] = s
            }
        }
        // Per-session ridge: W = (XsᵀXs + αI)⁻¹ Xsᵀ P.
        var out: [Session] = []
        col0 = 0
        for (i, p) in psths.enumerated() {
            let n = p.neurons
            var xs = [Double](repeating: 0, count: rows * n)
            for r in 0..<rows { for j in 0..<n { xs[r * n + j] = x[r * total + col0 + j] } }
            var a = gram(xs, rows: rows, cols: n)
            for j in 0..<n { a[j * n + j] += ridge }
            var rhs = [Double](repeating: 0, count: n * k)
            for j in 0..<n { for c in 0..<k { var s = 0.0; for r in 0..<rows { s += xs[r * n + j] * scores[r * k + c] }; rhs[j * k + c] = s } }
            guard let w = choleskySolve(a, n: n, rhs: rhs, columns: k) else {
                throw StitchingError("session \(i): ridge system is not positive definite; use ridge > 0")
            }
            out.append(Session(neurons: n, readinWeight: w, readoutBias: means[i]))
            col0 += n
        }
        return out
    }

    /// XᵀX of a rows×cols row-major matrix.
    static func gram(_ x: [Double], rows: Int, cols: Int) -> [Double] {
        var g = [Double](repeating: 0, count: cols * cols)
        for r in 0..<rows { for i in 0..<cols { let v = x[r * cols + i]; for j in i..<cols { g[i * cols + j] += v * x[r * cols + j] } } }
        for i in 0..<cols { for j in 0..<i { g[i * cols + j] = g[j * cols + i] } }
        return g
    }

    /// Eigenvalues and eigenvectors (columns of a row-major n×n matrix) of a symmetric matrix (cyclic Jacobi).
    static func symmetricEigen(_ m: [Double], n: Int) -> ([Double], [Double]) {
        var a = m, v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { off += a[i * n + j] * a[i * n + j] } }
            if off < 1e-22 { break }
            for p in 0..<n {
                for q in (p + 1)..<max(n, p + 1) where abs(a[p * n + q]) > 1e-300 {
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq; a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk; a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq; v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0 * n + $0] }, v)
    }

    /// Solves A·X = B for symmetric positive-definite A (n×n) and B (n×columns); nil if not SPD.
    static func choleskySolve(_ a: [Double], n: Int, rhs: [Double], columns: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                if i == j { guard s > 0 else { return nil }; l[i * n + i] = s.squareRoot() } else { l[i * n + j] = s / l[j * n + j] }
            }
        }
        var x = rhs
        for c in 0..<columns {
            for i in 0..<n { var s = x[i * columns + c]; for k in 0..<i { s -= l[i * n + k] * x[k * columns + c] }; x[i * columns + c] = s / l[i * n + i] }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var s = x[i * columns + c]; for k in (i + 1)..<max(n, i + 1) { s -= l[k * n + i] * x[k * columns + c] }; x[i * columns + c] = s / l[i * n + i]
            }
        }
        return x
    }
}

/// A stitching-initialisation problem, in one line.
public struct StitchingError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ message: String) { description = message }
}
