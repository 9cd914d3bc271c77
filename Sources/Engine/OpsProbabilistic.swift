import Foundation

/// Masks, dropout, stop-gradient, reparameterised sampling and likelihood / KL terms.
extension Tape {
    /// Inverted dropout: each element kept with probability 1−rate and scaled by 1/(1−rate); the
    /// mask is drawn from `rng` and recorded (as a constant) so backward uses the same mask.
    /// `rate` ≤ 0 (or gradients/training off by the caller) returns `a` unchanged.
    public func dropout(_ a: Tensor, rate: Float, rng: inout Rng) -> Tensor {
        guard rate > 0 else { return a }
        precondition(rate < 1, "dropout: rate must be < 1, got \(rate)")
        let mask = constant(rows: a.rows, cols: a.cols)
        rng.fillBernoulli(ptr(mask), count: a.count, p: 1 - rate, value: 1 / (1 - rate))
        return mul(a, mask)
    }

    /// a ⊙ mask for an explicit mask tensor (e.g. coordinated-dropout input masks).
    public func applyMask(_ a: Tensor, _ mask: Tensor) -> Tensor { mul(a, mask) }

    /// Value unchanged; the gradient passes only where `mask` is non-zero (scaled by the mask).
    /// With a 0/1 mask g this is `ℓ·g + stopgrad(ℓ·(1−g))` (coordinated dropout).
    public func gradientMask(_ a: Tensor, _ mask: Tensor) -> Tensor {
        precondition(mask.rows == a.rows && mask.cols == a.cols, "gradientMask: mask must match \(a.rows)×\(a.cols)")
        let out = record(.gradMask(a.id, mask: mask.id), rows: a.rows, cols: a.cols, needsGrad: needs(a))
        ptr(out).update(from: ptr(a), count: a.count)
        return out
    }

    /// Value of `a` with no gradient flowing back.
    public func stopGradient(_ a: Tensor) -> Tensor {
        let out = record(.constant, rows: a.rows, cols: a.cols, needsGrad: false)
        ptr(out).update(from: ptr(a), count: a.count)
        return out
    }

    /// Reparameterised Gaussian sample `mean + std·ε`, ε ~ N(0,1) drawn from `rng` and recorded.
    public func sampleGaussian(mean: Tensor, std: Tensor, rng: inout Rng) -> Tensor {
        precondition(mean.rows == std.rows && mean.cols == std.cols, "sampleGaussian: mean and std shapes differ")
        let eps = constant(rows: mean.rows, cols: mean.cols)
        rng.fillNormal(ptr(eps), count: mean.count)
        let out = record(.sample(mean: mean.id, std: std.id, eps: eps.id), rows: mean.rows, cols: mean.cols,
                         needsGrad: needs(mean) || needs(std))
        let m = ptr(mean), s = ptr(std), e = ptr(eps), o = ptr(out)
        for i in 0..<mean.count { o[i] = m[i] + s[i] * e[i] }
        return out
    }

    /// Element-wise Poisson negative log-likelihood with log-rate input:
    /// `exp(lr) − y·lr + lgamma(y+1)`. With `gradientMask` g, the value is unchanged and the
    /// gradient is multiplied by g (coordinated dropout). Reduce with `mean`/`sum` afterwards.
    public func poissonNLL(logRate: Tensor, target: Tensor, gradientMask: Tensor? = nil) -> Tensor {
        precondition(target.rows == logRate.rows && target.cols == logRate.cols,
                     "poissonNLL: target \(target.rows)×\(target.cols) must match log-rates \(logRate.rows)×\(logRate.cols)")
        if let g = gradientMask { precondition(g.rows == logRate.rows && g.cols == logRate.cols, "poissonNLL: mask shape differs") }
        let out = record(.poissonNLL(logRate: logRate.id, target: target.id, mask: gradientMask?.id ?? -1),
                         rows: logRate.rows, cols: logRate.cols, needsGrad: needs(logRate))
        let lr = ptr(logRate), y = ptr(target), o = ptr(out)
        for i in 0..<logRate.count { o[i] = FastMath.exp(lr[i]) - y[i] * lr[i] }
        for i in 0..<logRate.count where y[i] != 0 { o[i] += LogFactorial.of(y[i]) }
        return out
    }

    /// Element-wise KL( N(mq, vq) ‖ N(mp, vp) ) of diagonal Gaussians given VARIANCES:
    /// `½[ln(vp/vq) + (vq + (mq−mp)²)/vp − 1]`. `mp`, `vp` may broadcast (1×C, R×1, 1×1).
    public func klGaussian(meanQ: Tensor, varQ: Tensor, meanP: Tensor, varP: Tensor) -> Tensor {
        precondition(varQ.rows == meanQ.rows && varQ.cols == meanQ.cols, "klGaussian: meanQ and varQ shapes differ")
        checkBroadcast(meanP, against: meanQ, "klGaussian meanP")
        checkBroadcast(varP, against: meanQ, "klGaussian varP")
        let out = record(.klGaussian(mq: meanQ.id, vq: varQ.id, mp: meanP.id, vp: varP.id),
                         rows: meanQ.rows, cols: meanQ.cols,
                         needsGrad: needs(meanQ) || needs(varQ) || needs(meanP) || needs(varP))
        let mq = ptr(meanQ), vq = ptr(varQ), o = ptr(out)
        let mp = bcast(meanP.id, rows: meanQ.rows, cols: meanQ.cols)
        let vp = bcast(varP.id, rows: meanQ.rows, cols: meanQ.cols)
        let c = meanQ.cols
        for r in 0..<meanQ.rows {
            for j in 0..<c {
                let i = r * c + j
                let d = mq[i] - mp[r, j], p = vp[r, j]
                o[i] = 0.5 * (Foundation.log(p / vq[i]) + (vq[i] + d * d) / p - 1)
            }
        }
        return out
    }

    /// Element-wise log-density of a diagonal Gaussian: `ln N(x; mean, variance)`.
    /// `mean` and `variance` may broadcast (1×C, R×1, 1×1). For the LFADS AR(1) prior use
    /// mean = α·u_prev (a `mul` with a 1×C α) and variance = nvar (1×C).
    public func logNormal(_ x: Tensor, mean: Tensor, variance: Tensor) -> Tensor {
        checkBroadcast(mean, against: x, "logNormal mean")
        checkBroadcast(variance, against: x, "logNormal variance")
        let out = record(.logNormal(x: x.id, mean: mean.id, variance: variance.id), rows: x.rows, cols: x.cols,
                         needsGrad: needs(x) || needs(mean) || needs(variance))
        let xv = ptr(x), o = ptr(out)
        let m = bcast(mean.id, rows: x.rows, cols: x.cols), v = bcast(variance.id, rows: x.rows, cols: x.cols)
        let log2pi = Float(Foundation.log(2 * Double.pi))
        let c = x.cols
        for r in 0..<x.rows {
            for j in 0..<c {
                let i = r * c + j
                let d = xv[i] - m[r, j], vv = v[r, j]
                o[i] = -0.5 * (log2pi + Foundation.log(vv) + d * d / vv)
            }
        }
        return out
    }
}

extension Tape {
    func backwardSample(_ out: Node, _ mean: Int32, _ std: Int32, _ eps: Int32) {
        let dy = out.grad!, e = ptr(eps)
        if let dm = gptr(mean) { for i in 0..<out.rows * out.cols { dm[i] = dm[i] + dy[i] } }
        if let ds = gptr(std) { for i in 0..<out.rows * out.cols { ds[i] = ds[i] + dy[i] * e[i] } }
    }

    func backwardPoisson(_ out: Node, _ lrId: Int32, _ yId: Int32, _ maskId: Int32) {
        guard let dlr = gptr(lrId) else { return }
        let dy = out.grad!, lr = ptr(lrId), y = ptr(yId)
        let n = out.rows * out.cols
        if maskId >= 0 {
            let g = ptr(maskId)
            for i in 0..<n { dlr[i] = dlr[i] + dy[i] * (FastMath.exp(lr[i]) - y[i]) * g[i] }
        } else {
            for i in 0..<n { dlr[i] = dlr[i] + dy[i] * (FastMath.exp(lr[i]) - y[i]) }
        }
    }

    func backwardKL(_ out: Node, _ mqId: Int32, _ vqId: Int32, _ mpId: Int32, _ vpId: Int32) {
        let dy = out.grad!, mq = ptr(mqId), vq = ptr(vqId)
        let mp = bcast(mpId, rows: out.rows, cols: out.cols), vp = bcast(vpId, rows: out.rows, cols: out.cols)
        let dmq = gptr(mqId), dvq = gptr(vqId), dmp = bcastGrad(mpId), dvp = bcastGrad(vpId)
        let c = out.cols
        for r in 0..<out.rows {
            for j in 0..<c {
                let i = r * c + j
                let d = mq[i] - mp[r, j], p = vp[r, j], g = dy[i]
                if let dmq { dmq[i] += g * d / p }
                if let dvq { dvq[i] += g * 0.5 * (1 / p - 1 / vq[i]) }
                if let dmp { dmp[r, j] += -g * d / p }
                if let dvp { dvp[r, j] += g * 0.5 * (1 / p - (vq[i] + d * d) / (p * p)) }
            }
        }
    }

    func backwardLogNormal(_ out: Node, _ xId: Int32, _ mId: Int32, _ vId: Int32) {
        let dy = out.grad!, x = ptr(xId)
        let m = bcast(mId, rows: out.rows, cols: out.cols), v = bcast(vId, rows: out.rows, cols: out.cols)
        let dx = gptr(xId), dm = bcastGrad(mId), dv = bcastGrad(vId)
        let c = out.cols
        for r in 0..<out.rows {
            for j in 0..<c {
                let i = r * c + j
                let d = x[i] - m[r, j], vv = v[r, j], g = dy[i]
                if let dx { dx[i] += -g * d / vv }
                if let dm { dm[r, j] += g * d / vv }
                if let dv { dv[r, j] += g * 0.5 * (d * d / (vv * vv) - 1 / vv) }
            }
        }
    }
}
