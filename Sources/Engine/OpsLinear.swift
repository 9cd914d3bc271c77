/// Matrix products, linear layers and row-normalised weights.
extension Tape {
    /// op(a)·op(b), where op transposes when the flag is set.
    public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        let m = transposeA ? a.cols : a.rows, k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows, n = transposeB ? b.rows : b.cols
        precondition(k == kb, "matmul: inner dimensions differ (\(m)×\(k) · \(kb)×\(n))")
        let out = record(.matmul(a.id, b.id, transA: transposeA, transB: transposeB),
                         rows: m, cols: n, needsGrad: needs(a) || needs(b))
        sgemm(transposeA, transposeB, m: m, n: n, k: k, a: ptr(a), lda: a.cols, b: ptr(b), ldb: b.cols,
              beta: 0, c: ptr(out), ldc: n)
        return out
    }

    /// Linear layer `x·Wᵀ + b` (PyTorch convention): x is B×in, W is out×in, b is 1×out or nil.
    public func linear(_ x: Tensor, _ w: Tensor, _ b: Tensor? = nil) -> Tensor {
        precondition(x.cols == w.cols, "linear: input has \(x.cols) features but weight is \(w.rows)×\(w.cols) (out×in)")
        if let b { precondition(b.rows == 1 && b.cols == w.rows, "linear: bias must be 1×\(w.rows), got \(b.rows)×\(b.cols)") }
        let needsGrad = needs(x) || needs(w) || (b.map { needs($0) } ?? false)
        let out = record(.linear(x: x.id, w: w.id, b: b?.id ?? -1), rows: x.rows, cols: w.rows, needsGrad: needsGrad)
        let o = ptr(out)
        let n = w.rows
        if let b {
            let bp = ptr(b)
            for r in 0..<x.rows { (o + r * n).update(from: bp, count: n) }
        }
        sgemm(false, true, m: x.rows, n: n, k: x.cols, a: ptr(x), lda: x.cols, b: ptr(w), ldb: w.cols,
              beta: b == nil ? 0 : 1, c: o, ldc: n)
        return out
    }

    /// Each row of `w` divided by its L2 norm (LFADS factor layer: use with `linear(x, rowNormalize(W))`).
    public func rowNormalize(_ w: Tensor) -> Tensor {
        let out = record(.rowNormalize(w.id), rows: w.rows, cols: w.cols, needsGrad: needs(w))
        let src = ptr(w), dst = ptr(out)
        let c = w.cols
        for r in 0..<w.rows {
            let s = src + r * c, d = dst + r * c
            var ss: Float = 0
            for j in 0..<c { ss = ss + s[j] * s[j] }
            let inv = 1 / max(ss.squareRoot(), 1e-12)
            for j in 0..<c { d[j] = s[j] * inv }
        }
        return out
    }
}

extension Tape {
    func backwardMatmul(_ out: Node, _ a: Int32, _ b: Int32, _ tA: Bool, _ tB: Bool) {
        let dC = out.grad!
        let na = nodes[Int(a)], nb = nodes[Int(b)]
        let m = out.rows, n = out.cols
        let k = tA ? na.rows : na.cols
        if let da = na.grad {
            if !tA {
                sgemm(false, !tB, m: m, n: k, k: n, a: dC, lda: n, b: nb.value, ldb: nb.cols, beta: 1, c: da, ldc: na.cols)
            } else {
                sgemm(tB, true, m: k, n: m, k: n, a: nb.value, lda: nb.cols, b: dC, ldb: n, beta: 1, c: da, ldc: na.cols)
            }
        }
        if let db = nb.grad {
            if !tB {
                sgemm(!tA, false, m: k, n: n, k: m, a: na.value, lda: na.cols, b: dC, ldb: n, beta: 1, c: db, ldc: nb.cols)
            } else {
                sgemm(true, tA, m: n, n: k, k: m, a: dC, lda: n, b: na.value, ldb: na.cols, beta: 1, c: db, ldc: nb.cols)
            }
        }
    }

    func backwardLinear(_ out: Node, _ x: Int32, _ w: Int32, _ b: Int32) {
        let dy = out.grad!
        let nx = nodes[Int(x)], nw = nodes[Int(w)]
        let bsz = out.rows, o = out.cols, i = nx.cols
        if let dx = nx.grad {
            sgemm(false, false, m: bsz, n: i, k: o, a: dy, lda: o, b: nw.value, ldb: i, beta: 1, c: dx, ldc: i)
        }
        if let dw = nw.grad {
            sgemm(true, false, m: o, n: i, k: bsz, a: dy, lda: o, b: nx.value, ldb: i, beta: 1, c: dw, ldc: i)
        }
        if b >= 0, let db = nodes[Int(b)].grad {
            addColumnSums(dy, rows: bsz, cols: o, into: db)
        }
    }

    func backwardRowNormalize(_ out: Node, _ w: Int32) {
        let nw = nodes[Int(w)]
        guard let dw = nw.grad else { return }
        let dy = out.grad!, y = out.value, src = nw.value
        let c = out.cols
        for r in 0..<out.rows {
            let s = src + r * c, yr = y + r * c, g = dy + r * c, d = dw + r * c
            var ss: Float = 0, dot: Float = 0
            for j in 0..<c { ss = ss + s[j] * s[j]; dot = dot + yr[j] * g[j] }
            let inv = 1 / max(ss.squareRoot(), 1e-12)
            for j in 0..<c { d[j] = d[j] + (g[j] - yr[j] * dot) * inv }
        }
    }
}

/// acc[j] += Σ_r m[r, j]
@inline(__always)
func addColumnSums(_ m: UnsafePointer<Float>, rows: Int, cols: Int, into acc: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let row = m + r * cols
        for j in 0..<cols { acc[j] = acc[j] + row[j] }
    }
}
