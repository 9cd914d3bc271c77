import Foundation

/// Element-wise negative log-likelihoods of continuous observation models (Gaussian, Gamma, zero-inflated Gamma).
/// Every op returns the per-element NLL (same shape as the target); reduce afterwards, and
/// mask with `mul` (missing data) or `gradientMask` (coordinated dropout).
extension Tape {
    /// Smallest value used for y (and y − loc) inside logarithms of the Gamma densities.
    public static let likelihoodFloor: Float = 1e-6

    /// Gaussian NLL with mean and log-variance: `½[ln 2π + lv + (y−μ)²·e^{−lv}]`.
    public func gaussianNLL(mean: Tensor, logVar: Tensor, target: Tensor) -> Tensor {
        sameShape("gaussianNLL", mean, logVar, target)
        let out = record(.gaussianNLL(mean: mean.id, logVar: logVar.id, target: target.id), rows: target.rows,
                         cols: target.cols, needsGrad: needs(mean) || needs(logVar))
        let m = ptr(mean), lv = ptr(logVar), y = ptr(target), o = ptr(out)
        let log2pi = Float(Foundation.log(2 * Double.pi))
        for i in 0..<target.count {
            let d = y[i] - m[i]
            o[i] = 0.5 * (log2pi + lv[i] + d * d * Foundation.exp(-lv[i]))
        }
        return out
    }

    /// Squared error `(y − μ)²` (lfads-torch's MSE reconstruction: no variance, no constant).
    public func squaredError(mean: Tensor, target: Tensor) -> Tensor {
        sameShape("squaredError", mean, mean, target)
        let out = record(.squaredError(mean: mean.id, target: target.id), rows: target.rows, cols: target.cols,
                         needsGrad: needs(mean))
        let m = ptr(mean), y = ptr(target), o = ptr(out)
        for i in 0..<target.count {
            let d = y[i] - m[i]
            o[i] = d * d
        }
        return out
    }

    /// Gamma NLL with log-shape and log-rate: `−[α ln β + (α−1) ln y − β y − lnΓ(α)]`,
    /// α = e^{la}, β = e^{lb}; y is floored at `likelihoodFloor`.
    public func gammaNLL(logAlpha: Tensor, logBeta: Tensor, target: Tensor) -> Tensor {
        sameShape("gammaNLL", logAlpha, logBeta, target)
        let out = record(.gammaNLL(logAlpha: logAlpha.id, logBeta: logBeta.id, target: target.id), rows: target.rows,
                         cols: target.cols, needsGrad: needs(logAlpha) || needs(logBeta))
        let la = ptr(logAlpha), lb = ptr(logBeta), y = ptr(target), o = ptr(out)
        for i in 0..<target.count {
            o[i] = Self.gammaNLL(alpha: Foundation.exp(la[i]), beta: Foundation.exp(lb[i]), y: y[i])
        }
        return out
    }

    /// Zero-inflated Gamma NLL with activated α, β > 0 and q ∈ (0, 1): `−ln(1−q)` where y = 0,
    /// `−ln q − ln Gamma(y − loc; α, β)` otherwise (y − loc floored at `likelihoodFloor`).
    public func zeroInflatedGammaNLL(alpha: Tensor, beta: Tensor, q: Tensor, target: Tensor, loc: Float) -> Tensor {
        sameShape("zeroInflatedGammaNLL", alpha, beta, target)
        sameShape("zeroInflatedGammaNLL", q, q, target)
        let out = record(.zigNLL(alpha: alpha.id, beta: beta.id, q: q.id, target: target.id, loc: loc), rows: target.rows,
                         cols: target.cols, needsGrad: needs(alpha) || needs(beta) || needs(q))
        let a = ptr(alpha), b = ptr(beta), qv = ptr(q), y = ptr(target), o = ptr(out)
        for i in 0..<target.count {
            o[i] = y[i] == 0 ? -Foundation.log(1 - qv[i])
                : -Foundation.log(qv[i]) + Self.gammaNLL(alpha: a[i], beta: b[i], y: y[i] - loc)
        }
        return out
    }

    /// `max(a, floor)` element-wise; gradient passes only where a > floor.
    public func clampMin(_ a: Tensor, _ floor: Float) -> Tensor {
        let out = record(.clampMin(a.id, floor), rows: a.rows, cols: a.cols, needsGrad: needs(a))
        let x = ptr(a), o = ptr(out)
        for i in 0..<a.count { o[i] = Swift.max(x[i], floor) }
        return out
    }

    static func gammaNLL(alpha: Float, beta: Float, y: Float) -> Float {
        let yy = Swift.max(y, likelihoodFloor)
        let lg = Float(Special.lgamma(Double(alpha)))
        return -(alpha * Foundation.log(beta) + (alpha - 1) * Foundation.log(yy) - beta * yy - lg)
    }

    private func sameShape(_ op: String, _ a: Tensor, _ b: Tensor, _ y: Tensor) {
        precondition(a.rows == y.rows && a.cols == y.cols && b.rows == y.rows && b.cols == y.cols,
                     "\(op): parameters \(a.rows)×\(a.cols), \(b.rows)×\(b.cols) must match the target \(y.rows)×\(y.cols)")
    }
}

extension Tape {
    func backwardGaussianNLL(_ out: Node, _ mId: Int32, _ lvId: Int32, _ yId: Int32) {
        let dy = out.grad!, m = ptr(mId), lv = ptr(lvId), y = ptr(yId)
        let dm = gptr(mId), dlv = gptr(lvId)
        for i in 0..<out.rows * out.cols {
            let d = y[i] - m[i], iv = Foundation.exp(-lv[i])
            if let dm { dm[i] += dy[i] * (-d * iv) }
            if let dlv { dlv[i] += dy[i] * 0.5 * (1 - d * d * iv) }
        }
    }

    func backwardSquaredError(_ out: Node, _ mId: Int32, _ yId: Int32) {
        guard let dm = gptr(mId) else { return }
        let dy = out.grad!, m = ptr(mId), y = ptr(yId)
        for i in 0..<out.rows * out.cols { dm[i] += dy[i] * 2 * (m[i] - y[i]) }
    }

    func backwardGammaNLL(_ out: Node, _ laId: Int32, _ lbId: Int32, _ yId: Int32) {
        let dy = out.grad!, la = ptr(laId), lb = ptr(lbId), y = ptr(yId)
        let dla = gptr(laId), dlb = gptr(lbId)
        for i in 0..<out.rows * out.cols {
            let a = Foundation.exp(la[i]), b = Foundation.exp(lb[i]), yy = Swift.max(y[i], Self.likelihoodFloor)
            // ∂/∂α = −ln β − ln y + ψ(α); ∂/∂β = −α/β + y; chain through α = e^{la}, β = e^{lb}.
            if let dla { dla[i] += dy[i] * a * (Float(Special.digamma(Double(a))) - lb[i] - Foundation.log(yy)) }
            if let dlb { dlb[i] += dy[i] * (b * yy - a) }
        }
    }

    func backwardZIG(_ out: Node, _ aId: Int32, _ bId: Int32, _ qId: Int32, _ yId: Int32, _ loc: Float) {
        let dy = out.grad!, a = ptr(aId), b = ptr(bId), q = ptr(qId), y = ptr(yId)
        let da = gptr(aId), db = gptr(bId), dq = gptr(qId)
        for i in 0..<out.rows * out.cols {
            if y[i] == 0 {
                if let dq { dq[i] += dy[i] / (1 - q[i]) }
                continue
            }
            let yy = Swift.max(y[i] - loc, Self.likelihoodFloor)
            if let dq { dq[i] += -dy[i] / q[i] }
            if let da { da[i] += dy[i] * (Float(Special.digamma(Double(a[i]))) - Foundation.log(b[i]) - Foundation.log(yy)) }
            if let db { db[i] += dy[i] * (yy - a[i] / b[i]) }
        }
    }

    func backwardClampMin(_ out: Node, _ aId: Int32, _ floor: Float) {
        guard let da = gptr(aId) else { return }
        let dy = out.grad!, x = ptr(aId)
        for i in 0..<out.rows * out.cols where x[i] > floor { da[i] += dy[i] }
    }
}
