/// Result of fitting targets from inputs with an affine map (least squares with intercept).
public struct AffineFitResult: Sendable {
    /// Weights, row-major (inputDim + 1) × outputDim; the last row is the intercept.
    public let weights: [Double]
    /// R² of the fit per output dimension (NaN for a constant output).
    public let r2PerDim: [Double]
    /// Unweighted mean of `r2PerDim` over non-constant dims.
    public let r2Mean: Double
    /// Variance-weighted R²: 1 − Σ SS_res / Σ SS_tot over all output dims.
    public let r2VarianceWeighted: Double
}

/// Affine-fit R² from inferred factors to true latents (how much of the latents is linearly
/// decodable). Solved in Double via Cholesky on the normal equations with a tiny ridge.
public enum AffineFit {
    /// Fits `y ≈ [x, 1]·B` where `x` is rows × inputDim and `y` rows × outputDim (row-major).
    /// `ridge` is added to the diagonal (intercept excluded), scaled by the mean input variance.
    public static func fit(inputs x: [Float], inputDim: Int, targets y: [Float], outputDim: Int,
                           ridge: Double = 1e-8) throws -> AffineFitResult {
        try require(inputDim > 0 && outputDim > 0, "affine fit: inputDim and outputDim must be positive")
        try require(x.count % inputDim == 0 && y.count % outputDim == 0,
                    "affine fit: array sizes \(x.count), \(y.count) are not multiples of dims \(inputDim), \(outputDim)")
        let rows = x.count / inputDim
        try require(rows == y.count / outputDim,
                    "affine fit: inputs have \(rows) rows but targets have \(y.count / outputDim); pass matching samples")
        try require(rows > inputDim, "affine fit: \(rows) samples is not more than the \(inputDim) inputs; pass more samples")
        let p = inputDim + 1
        var gram = [Double](repeating: 0, count: p * p)
        var xty = [Double](repeating: 0, count: p * outputDim)
        var row = [Double](repeating: 1, count: p)
        for r in 0..<rows {
            for i in 0..<inputDim { row[i] = Double(x[r * inputDim + i]) }
            for i in 0..<p {
                for j in i..<p { gram[i * p + j] += row[i] * row[j] }
                for k in 0..<outputDim { xty[i * outputDim + k] += row[i] * Double(y[r * outputDim + k]) }
            }
        }
        for i in 0..<p { for j in 0..<i { gram[i * p + j] = gram[j * p + i] } }
        var trace = 0.0
        for i in 0..<inputDim { trace += gram[i * p + i] }
        let lambda = ridge * max(trace / Double(inputDim), 1e-300)
        for i in 0..<inputDim { gram[i * p + i] += lambda }
        let weights = try choleskySolve(gram, n: p, rhs: xty, columns: outputDim)

        var mean = [Double](repeating: 0, count: outputDim)
        for r in 0..<rows { for k in 0..<outputDim { mean[k] += Double(y[r * outputDim + k]) } }
        for k in 0..<outputDim { mean[k] /= Double(rows) }
        var res = [Double](repeating: 0, count: outputDim), tot = res
        for r in 0..<rows {
            for i in 0..<inputDim { row[i] = Double(x[r * inputDim + i]) }
            for k in 0..<outputDim {
                var pred = 0.0
                for i in 0..<p { pred += row[i] * weights[i * outputDim + k] }
                let t = Double(y[r * outputDim + k])
                res[k] += (t - pred) * (t - pred); tot[k] += (t - mean[k]) * (t - mean[k])
            }
        }
        let perDim = (0..<outputDim).map { tot[$0] > 0 ? 1 - res[$0] / tot[$0] : .nan }
        let valid = perDim.filter { !$0.isNaN }
        let totSum = tot.reduce(0, +)
        return AffineFitResult(weights: weights, r2PerDim: perDim,
                               r2Mean: valid.isEmpty ? .nan : valid.reduce(0, +) / Double(valid.count),
                               r2VarianceWeighted: totSum > 0 ? 1 - res.reduce(0, +) / totSum : .nan)
    }

    /// Solves A·X = B for symmetric positive-definite A (n × n) and B (n × columns), row-major.
    static func choleskySolve(_ a: [Double], n: Int, rhs: [Double], columns: Int) throws -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    try require(s > 0, "affine fit: normal equations are singular (constant or collinear inputs); increase ridge")
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        var x = rhs
        for c in 0..<columns {
            for i in 0..<n {          // forward: L z = b
                var s = x[i * columns + c]
                for k in 0..<i { s -= l[i * n + k] * x[k * columns + c] }
                x[i * columns + c] = s / l[i * n + i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {   // backward: Lᵀ x = z
                var s = x[i * columns + c]
                for k in (i + 1)..<n { s -= l[k * n + i] * x[k * columns + c] }
                x[i * columns + c] = s / l[i * n + i]
            }
        }
        return x
    }
}
