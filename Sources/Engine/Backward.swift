import Foundation

extension Tape {
    /// Reverse pass from `output`. For a 1×1 loss the seed is 1; for other outputs pass `seed`
    /// (the cotangent, `output.count` floats). Parameter gradients accumulate into `parameterGradients`
    /// (the store's, or the tape's own; zeroed first when `zeroParamGrads`) and into `grad(_:)` of intermediate tensors.
    public func backward(_ output: Tensor, seed: UnsafePointer<Float>? = nil, zeroParamGrads: Bool = true) {
        precondition(gradEnabled, "backward: this tape has gradEnabled = false (inference mode)")
        precondition(seed != nil || output.count == 1,
                     "backward: output is \(output.rows)×\(output.cols); pass a seed or reduce it to 1×1 first")
        if zeroParamGrads { zeroParameterGradients() }
        let last = Int(output.id)
        for i in 0...last {
            let n = nodes[i]
            if case .param = n.op { continue }
            if let g = n.grad { g.update(repeating: 0, count: n.rows * n.cols) }
        }
        guard let g = nodes[last].grad else { return }
        if let seed { g.update(from: seed, count: output.count) } else { g[0] = 1 }
        var i = last
        while i >= 0 {
            let n = nodes[i]
            if n.grad != nil { backwardNode(n) }
            i -= 1
        }
    }

    private func backwardNode(_ n: Node) {
        let dy = n.grad!
        let count = n.rows * n.cols
        switch n.op {
        case .constant, .param:
            return
        case let .matmul(a, b, tA, tB):
            backwardMatmul(n, a, b, tA, tB)
        case let .linear(x, w, b):
            backwardLinear(n, x, w, b)
        case let .add(a, b):
            if let da = gptr(a) { for i in 0..<count { da[i] = da[i] + dy[i] } }
            backwardBroadcastRHS(n, b, sign: 1, times: nil)
        case let .sub(a, b):
            if let da = gptr(a) { for i in 0..<count { da[i] = da[i] + dy[i] } }
            backwardBroadcastRHS(n, b, sign: -1, times: nil)
        case let .mul(a, b):
            if let da = gptr(a) {
                let c = n.cols, nb = nodes[Int(b)], y = nb.value
                for r in 0..<n.rows {
                    let dar = da + r * c, dyr = dy + r * c, yr = y + (nb.rows == 1 ? 0 : r * nb.cols)
                    if nb.cols == c { for j in 0..<c { dar[j] = dar[j] + dyr[j] * yr[j] } }
                    else { let s = yr[0]; for j in 0..<c { dar[j] = dar[j] + dyr[j] * s } }
                }
            }
            backwardBroadcastRHS(n, b, sign: 1, times: a)
        case let .scale(a, c):
            if let da = gptr(a) { for i in 0..<count { da[i] = da[i] + dy[i] * c } }
        case let .addScalar(a):
            if let da = gptr(a) { for i in 0..<count { da[i] = da[i] + dy[i] } }
        case let .exp(a):
            if let da = gptr(a) { let y = n.value; for i in 0..<count { da[i] = da[i] + dy[i] * y[i] } }
        case let .log(a):
            if let da = gptr(a) { let x = ptr(a); for i in 0..<count { da[i] = da[i] + dy[i] / x[i] } }
        case let .softplus(a):
            if let da = gptr(a) { let x = ptr(a); for i in 0..<count { da[i] = da[i] + dy[i] * FastMath.sigmoid(x[i]) } }
        case let .sigmoid(a):
            if let da = gptr(a) { let y = n.value; for i in 0..<count { da[i] = da[i] + dy[i] * y[i] * (1 - y[i]) } }
        case let .tanh(a):
            if let da = gptr(a) { let y = n.value; for i in 0..<count { da[i] = da[i] + dy[i] * (1 - y[i] * y[i]) } }
        case let .square(a):
            if let da = gptr(a) { let x = ptr(a); for i in 0..<count { da[i] = da[i] + 2 * dy[i] * x[i] } }
        case let .sqrt(a):
            if let da = gptr(a) { let y = n.value; for i in 0..<count { da[i] = da[i] + dy[i] * 0.5 / y[i] } }
        case let .lgamma(a):
            if let da = gptr(a) {
                let x = ptr(a)
                for i in 0..<count { da[i] = da[i] + dy[i] * Float(Special.digamma(Double(x[i]))) }
            }
        case let .sliceCols(a, start):
            if let da = gptr(a) {
                let ac = nodes[Int(a)].cols, s = Int(start), c = n.cols
                for r in 0..<n.rows {
                    let d = da + r * ac + s, g = dy + r * c
                    for j in 0..<c { d[j] = d[j] + g[j] }
                }
            }
        case let .sliceRows(a, start):
            if let da = gptr(a) {
                let d = da + Int(start) * n.cols
                for i in 0..<count { d[i] = d[i] + dy[i] }
            }
        case let .concatCols(a, b):
            let ac = nodes[Int(a)].cols, bc = nodes[Int(b)].cols, c = n.cols
            for r in 0..<n.rows {
                if let da = gptr(a) { let d = da + r * ac, g = dy + r * c; for j in 0..<ac { d[j] = d[j] + g[j] } }
                if let db = gptr(b) { let d = db + r * bc, g = dy + r * c + ac; for j in 0..<bc { d[j] = d[j] + g[j] } }
            }
        case let .sumAll(a, s):
            if let da = gptr(a) {
                let v = dy[0] * s
                for i in 0..<nodes[Int(a)].rows * nodes[Int(a)].cols { da[i] = da[i] + v }
            }
        case let .rowSum(a, s):
            if let da = gptr(a) {
                let c = nodes[Int(a)].cols
                for r in 0..<n.rows { let v = dy[r] * s, d = da + r * c; for j in 0..<c { d[j] = d[j] + v } }
            }
        case let .colSum(a, s):
            if let da = gptr(a) {
                let c = n.cols
                for r in 0..<nodes[Int(a)].rows { let d = da + r * c; for j in 0..<c { d[j] = d[j] + dy[j] * s } }
            }
        case let .rowNormalize(w):
            backwardRowNormalize(n, w)
        case let .gradMask(a, m):
            if let da = gptr(a) { let g = ptr(m); for i in 0..<count { da[i] = da[i] + dy[i] * g[i] } }
        case let .sample(mean, std, eps):
            backwardSample(n, mean, std, eps)
        case let .poissonNLL(lr, y, m):
            backwardPoisson(n, lr, y, m)
        case let .klGaussian(mq, vq, mp, vp):
            backwardKL(n, mq, vq, mp, vp)
        case let .logNormal(x, m, v):
            backwardLogNormal(n, x, m, v)
        case let .gaussianNLL(m, lv, y):
            backwardGaussianNLL(n, m, lv, y)
        case let .squaredError(m, y):
            backwardSquaredError(n, m, y)
        case let .gammaNLL(la, lb, y):
            backwardGammaNLL(n, la, lb, y)
        case let .zigNLL(a, b, q, y, loc):
            backwardZIG(n, a, b, q, y, loc)
        case let .clampMin(a, f):
            backwardClampMin(n, a, f)
        case let .gru(rec):
            backwardGRU(n, rec)
        }
    }

    /// Gradient of the right operand of add/sub/mul, reduced over broadcast dimensions.
    /// `times` is the left operand for mul (d/db = dy·a), nil for add/sub.
    private func backwardBroadcastRHS(_ n: Node, _ b: Int32, sign: Float, times a: Int32?) {
        let nb = nodes[Int(b)]
        guard let db = nb.grad else { return }
        let dy = n.grad!, c = n.cols
        let av = a.map { ptr($0) }
        for r in 0..<n.rows {
            let dyr = dy + r * c
            let dbr = db + (nb.rows == 1 ? 0 : r * nb.cols)
            if nb.cols == c {
                if let av { let ar = av + r * c; for j in 0..<c { dbr[j] = dbr[j] + dyr[j] * ar[j] } }
                else { for j in 0..<c { dbr[j] = dbr[j] + sign * dyr[j] } }
            } else {
                var acc: Float = 0
                if let av { let ar = av + r * c; for j in 0..<c { acc = acc + dyr[j] * ar[j] } }
                else { for j in 0..<c { acc = acc + dyr[j] } }
                dbr[0] = dbr[0] + sign * acc
            }
        }
    }
}
