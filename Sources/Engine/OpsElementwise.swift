import Foundation

/// Broadcast view of an operand against an output shape: same shape, 1×C (row vector),
/// R×1 (column vector) or 1×1 (scalar).
struct Bcast {
    let p: UnsafeMutablePointer<Float>
    let rowStride: Int
    let colStride: Int
    @inline(__always) subscript(r: Int, c: Int) -> Float {
        get { p[r * rowStride + c * colStride] }
        nonmutating set { p[r * rowStride + c * colStride] = newValue }
    }
}

extension Tape {
    func checkBroadcast(_ b: Tensor, against a: Tensor, _ what: String) {
        precondition((b.rows == a.rows || b.rows == 1) && (b.cols == a.cols || b.cols == 1),
                     "\(what): operand \(b.rows)×\(b.cols) cannot broadcast to \(a.rows)×\(a.cols) (use same shape, 1×C, R×1 or 1×1)")
    }

    @inline(__always) func bcast(_ id: Int32, rows: Int, cols: Int) -> Bcast {
        let n = nodes[Int(id)]
        return Bcast(p: n.value, rowStride: n.rows == 1 ? 0 : n.cols, colStride: n.cols == 1 ? 0 : 1)
    }

    @inline(__always) func bcastGrad(_ id: Int32) -> Bcast? {
        let n = nodes[Int(id)]
        guard let g = n.grad else { return nil }
        return Bcast(p: g, rowStride: n.rows == 1 ? 0 : n.cols, colStride: n.cols == 1 ? 0 : 1)
    }

    // MARK: binary with broadcasting of the right operand

    /// a + b; `b` may be a×-shaped, 1×C, R×1 or 1×1.
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.add(a.id, b.id), a, b, kind: 0) }
    /// a − b; `b` may broadcast as in `add`.
    public func sub(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.sub(a.id, b.id), a, b, kind: 1) }
    /// a ⊙ b (element-wise); `b` may broadcast as in `add`.
    public func mul(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.mul(a.id, b.id), a, b, kind: 2) }

    private func binary(_ op: Op, _ a: Tensor, _ b: Tensor, kind: Int) -> Tensor {
        checkBroadcast(b, against: a, "add/sub/mul")
        let out = record(op, rows: a.rows, cols: a.cols, needsGrad: needs(a) || needs(b))
        let x = ptr(a), y = ptr(b), o = ptr(out)
        let c = a.cols
        for r in 0..<a.rows {
            let xr = x + r * c, orow = o + r * c
            let yr = y + (b.rows == 1 ? 0 : r * b.cols)
            if b.cols == c {
                switch kind {
                case 0: for j in 0..<c { orow[j] = xr[j] + yr[j] }
                case 1: for j in 0..<c { orow[j] = xr[j] - yr[j] }
                default: for j in 0..<c { orow[j] = xr[j] * yr[j] }
                }
            } else {
                let s = yr[0]
                switch kind {
                case 0: for j in 0..<c { orow[j] = xr[j] + s }
                case 1: for j in 0..<c { orow[j] = xr[j] - s }
                default: for j in 0..<c { orow[j] = xr[j] * s }
                }
            }
        }
        return out
    }

    // MARK: unary

    /// c·a.
    public func scale(_ a: Tensor, _ c: Float) -> Tensor {
        let out = record(.scale(a.id, c), rows: a.rows, cols: a.cols, needsGrad: needs(a))
        let x = ptr(a), o = ptr(out)
        for i in 0..<a.count { o[i] = x[i] * c }
        return out
    }

    /// a + c.
    public func addScalar(_ a: Tensor, _ c: Float) -> Tensor {
        let out = record(.addScalar(a.id), rows: a.rows, cols: a.cols, needsGrad: needs(a))
        let x = ptr(a), o = ptr(out)
        for i in 0..<a.count { o[i] = x[i] + c }
        return out
    }

    /// e^a (inputs clamped to [−87.3, 88.3]).
    public func exp(_ a: Tensor) -> Tensor {
        let out = record(.exp(a.id), rows: a.rows, cols: a.cols, needsGrad: needs(a))
        let x = ptr(a), o = ptr(out)
        for i in 0..<a.count { o[i] = FastMath.exp(x[i]) }
        return out
    }

    /// Natural log (inputs must be > 0).
    public func log(_ a: Tensor) -> Tensor {
        let out = record(.log(a.id), rows: a.rows, cols: a.cols, needsGrad: needs(a))
        let x = ptr(a), o = ptr(out)
        for i in 0..<a.count { o[i] = Foundation.log(x[i]) }
        return out
    }

    /// log(1 + e^a), computed stably.
    public func softplus(_ a: Tensor) -> Tensor {
        let out = record(.softplus(a.id), rows: a.rows, cols: a.cols, needsGrad: needs(a))
        let x = ptr(a), o = ptr(out)
        for i in 0..<a.count { o[i] = max(x[i], 0) + Foundation.log1p(FastMath.exp(-abs(x[i]))) }
        return out
    }

    /// Logistic sigmoid.
    public func sigmoid(_ a: Tensor) -> Tensor {
        let out = record(.sigmoid(a.id), rows: a.rows, cols: a.cols, needsGrad: needs(a))
        let x = ptr(a), o = ptr(out)
        for i in 0..<a.count { o[i] = FastMath.sigmoid(x[i]) }
        return out
    }

    /// tanh.
    public func tanh(_ a: Tensor) -> Tensor {
        let out = record(.tanh(a.id), rows: a.rows, cols: a.cols, needsGrad: needs(a))
        let x = ptr(a), o = ptr(out)
        for i in 0..<a.count { o[i] = FastMath.tanh(x[i]) }
        return out
    }

    /// a².
    public func square(_ a: Tensor) -> Tensor {
        let out = record(.square(a.id), rows: a.rows, cols: a.cols, needsGrad: needs(a))
        let x = ptr(a), o = ptr(out)
        for i in 0..<a.count { o[i] = x[i] * x[i] }
        return out
    }

    /// √a (inputs must be > 0 for a finite gradient).
    public func sqrt(_ a: Tensor) -> Tensor {
        let out = record(.sqrt(a.id), rows: a.rows, cols: a.cols, needsGrad: needs(a))
        let x = ptr(a), o = ptr(out)
        for i in 0..<a.count { o[i] = x[i].squareRoot() }
        return out
    }

    /// ln Γ(a) element-wise (a > 0); gradient is digamma(a).
    public func lgamma(_ a: Tensor) -> Tensor {
        let out = record(.lgamma(a.id), rows: a.rows, cols: a.cols, needsGrad: needs(a))
        let x = ptr(a), o = ptr(out)
        for i in 0..<a.count { o[i] = Float(Special.lgamma(Double(x[i]))) }
        return out
    }

    // MARK: columns

    /// Columns start..<start+count of `a`.
    public func sliceCols(_ a: Tensor, start: Int, count: Int) -> Tensor {
        precondition(start >= 0 && count >= 0 && start + count <= a.cols,
                     "sliceCols: columns \(start)..<\(start + count) outside 0..<\(a.cols)")
        let out = record(.sliceCols(a.id, start: Int32(start)), rows: a.rows, cols: count, needsGrad: needs(a))
        let x = ptr(a), o = ptr(out)
        for r in 0..<a.rows { (o + r * count).update(from: x + r * a.cols + start, count: count) }
        return out
    }

    /// Rows start..<start+count of `a` (e.g. one time step of a time-major matrix).
    public func sliceRows(_ a: Tensor, start: Int, count: Int) -> Tensor {
        precondition(start >= 0 && count >= 0 && start + count <= a.rows,
                     "sliceRows: rows \(start)..<\(start + count) outside 0..<\(a.rows)")
        let out = record(.sliceRows(a.id, start: Int32(start)), rows: count, cols: a.cols, needsGrad: needs(a))
        ptr(out).update(from: ptr(a) + start * a.cols, count: count * a.cols)
        return out
    }

    /// [a, b] side by side (same number of rows).
    public func concatCols(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.rows == b.rows, "concatCols: row counts differ (\(a.rows) vs \(b.rows))")
        let c = a.cols + b.cols
        let out = record(.concatCols(a.id, b.id), rows: a.rows, cols: c, needsGrad: needs(a) || needs(b))
        let x = ptr(a), y = ptr(b), o = ptr(out)
        for r in 0..<a.rows {
            (o + r * c).update(from: x + r * a.cols, count: a.cols)
            (o + r * c + a.cols).update(from: y + r * b.cols, count: b.cols)
        }
        return out
    }

    // MARK: reductions (accumulated in Double)

    /// Sum of all elements (1×1).
    public func sum(_ a: Tensor) -> Tensor { reduceAll(a, 1) }
    /// Mean of all elements (1×1).
    public func mean(_ a: Tensor) -> Tensor { reduceAll(a, 1 / Float(max(a.count, 1))) }

    private func reduceAll(_ a: Tensor, _ s: Float) -> Tensor {
        let out = record(.sumAll(a.id, s), rows: 1, cols: 1, needsGrad: needs(a))
        let x = ptr(a)
        var total = 0.0
        for r in 0..<a.rows {
            var acc: Float = 0
            let row = x + r * a.cols
            for j in 0..<a.cols { acc = acc + row[j] }
            total += Double(acc)
        }
        ptr(out)[0] = Float(total * Double(s))
        return out
    }

    /// Per-row sums (R×1).
    public func rowSum(_ a: Tensor) -> Tensor { reduceRows(a, 1) }
    /// Per-row means (R×1).
    public func rowMean(_ a: Tensor) -> Tensor { reduceRows(a, 1 / Float(max(a.cols, 1))) }

    private func reduceRows(_ a: Tensor, _ s: Float) -> Tensor {
        let out = record(.rowSum(a.id, s), rows: a.rows, cols: 1, needsGrad: needs(a))
        let x = ptr(a), o = ptr(out)
        for r in 0..<a.rows {
            var acc: Float = 0
            let row = x + r * a.cols
            for j in 0..<a.cols { acc = acc + row[j] }
            o[r] = acc * s
        }
        return out
    }

    /// Per-column sums over rows (1×C), e.g. a sum over the batch.
    public func colSum(_ a: Tensor) -> Tensor { reduceCols(a, 1) }
    /// Per-column means over rows (1×C).
    public func colMean(_ a: Tensor) -> Tensor { reduceCols(a, 1 / Float(max(a.rows, 1))) }

    private func reduceCols(_ a: Tensor, _ s: Float) -> Tensor {
        let out = record(.colSum(a.id, s), rows: 1, cols: a.cols, needsGrad: needs(a))
        let o = ptr(out)
        o.update(repeating: 0, count: a.cols)
        addColumnSums(ptr(a), rows: a.rows, cols: a.cols, into: o)
        for j in 0..<a.cols { o[j] = o[j] * s }
        return out
    }
}
