/// Parameters of one clipped GRU cell (LFADS's GRU: hidden state clipped to ±clip after each step), stored in a `ParameterStore`.
///
/// Layout (PyTorch-like, gate order **z, r, n**): `wih` is 3H×I (rows 0..<H: z, H..<2H: r,
/// 2H..<3H: n), `bih` is 1×3H (input biases; the hidden bias is fixed at 0), `whh` is 3H×H.
public struct GRUWeights: Sendable {
    public let wih: Param
    public let bih: Param
    public let whh: Param
    public let inputSize: Int
    public let hiddenSize: Int
    /// States are clamped to ±clip after each step (LFADS: 5).
    public var clip: Float

    /// Fan convention for the weight init (std = 1/sqrt(fan)).
    public enum Fan: Sendable {
        /// Encoder GRUs: fan = input + hidden for both matrices.
        case encoder
        /// Decoder (generator/controller) GRUs: fan = input for W_ih, hidden for W_hh.
        case decoder
    }

    /// Adds `name.wih`, `name.bih`, `name.whh` to `store`, initialised per LFADS:
    /// normal(1/sqrt(fan)) weights, z and r biases 1.0, candidate bias 0.
    public init(store: ParameterStore, name: String, inputSize: Int, hiddenSize: Int,
                fan: Fan, clip: Float = 5, rng: inout Rng) {
        let h = hiddenSize
        let fanI = fan == .encoder ? inputSize + h : inputSize
        let fanH = fan == .encoder ? inputSize + h : h
        wih = store.add("\(name).wih", rows: 3 * h, cols: inputSize, init: .fanNormal(fan: fanI), rng: &rng)
        bih = store.add("\(name).bih", rows: 1, cols: 3 * h, init: .zeros, rng: &rng)
        whh = store.add("\(name).whh", rows: 3 * h, cols: h, init: .fanNormal(fan: fanH), rng: &rng)
        let b = store.value(bih)
        for j in 0..<(2 * h) { b[j] = 1 }
        self.inputSize = inputSize
        self.hiddenSize = h
        self.clip = clip
    }
}

extension Tape {
    /// One fused clipped GRU step: returns h' (B×H) for input x (B×I, I may be 0) and state h (B×H).
    /// z = σ(x·Wzᵀ + b_z + h·Uzᵀ), r = σ(x·Wrᵀ + b_r + h·Urᵀ), n = tanh(x·Wnᵀ + b_n + (r⊙h)·Unᵀ),
    /// h' = clamp(z⊙h + (1−z)⊙n, ±clip). Gradients are zero where the clamp is active.
    public func gruCell(x: Tensor, h: Tensor, _ w: GRUWeights) -> Tensor {
        gruCell(x: x, h: h, wih: param(w.wih), bih: param(w.bih), whh: param(w.whh), clip: w.clip)
    }

    /// Input projections `x·W_ihᵀ + b_ih` (…×3H) for many rows at once, e.g. all time steps of a
    /// time-major (T·B)×I input (`timeMajor`): one large GEMM instead of T small ones. Feed
    /// `sliceRows(proj, start: t·B, count: B)` to `gruCell(projected:h:_:)`.
    public func gruInputProjection(_ x: Tensor, _ w: GRUWeights) -> Tensor {
        linear(x, param(w.wih), param(w.bih))
    }

    /// A GRU step whose input part `x·W_ihᵀ + b_ih` (B×3H) was computed beforehand
    /// (`gruInputProjection`). Same result and gradients as `gruCell(x:h:_:)`.
    public func gruCell(projected: Tensor, h: Tensor, _ w: GRUWeights) -> Tensor {
        gruCell(projected: projected, h: h, whh: param(w.whh), clip: w.clip)
    }

    /// `gruCell(projected:h:_:)` with an explicit recurrent weight tensor (3H×H).
    public func gruCell(projected: Tensor, h: Tensor, whh: Tensor, clip: Float) -> Tensor {
        let hid = h.cols
        precondition(projected.rows == h.rows && projected.cols == 3 * hid,
                     "gruCell: projected input must be \(h.rows)×\(3 * hid), got \(projected.rows)×\(projected.cols)")
        precondition(whh.rows == 3 * hid && whh.cols == hid, "gruCell: whh must be \(3 * hid)×\(hid)")
        return gruForward(x: projected, h: h, wih: nil, bih: nil, whh: whh, clip: clip)
    }

    /// `gruCell` with explicit weight tensors (wih 3H×I, bih 1×3H, whh 3H×H).
    public func gruCell(x: Tensor, h: Tensor, wih: Tensor, bih: Tensor, whh: Tensor, clip: Float) -> Tensor {
        let bsz = x.rows, inp = x.cols, hid = h.cols
        precondition(h.rows == bsz, "gruCell: x has \(bsz) rows but h has \(h.rows)")
        precondition(wih.rows == 3 * hid && wih.cols == inp, "gruCell: wih must be \(3 * hid)×\(inp), got \(wih.rows)×\(wih.cols)")
        precondition(bih.rows == 1 && bih.cols == 3 * hid, "gruCell: bih must be 1×\(3 * hid)")
        precondition(whh.rows == 3 * hid && whh.cols == hid, "gruCell: whh must be \(3 * hid)×\(hid)")
        return gruForward(x: x, h: h, wih: wih, bih: bih, whh: whh, clip: clip)
    }

    private func gruForward(x: Tensor, h: Tensor, wih: Tensor?, bih: Tensor?, whh: Tensor, clip: Float) -> Tensor {
        let bsz = x.rows, inp = x.cols, hid = h.cols
        let projected = wih == nil
        let h3 = 3 * hid
        let gates = arena.alloc(bsz * h3)
        let zs = arena.alloc(bsz * hid), rs = arena.alloc(bsz * hid), ns = arena.alloc(bsz * hid)
        let rh = arena.alloc(bsz * hid)
        let rec = GRUOpRecord(x: x.id, h: h.id, wih: wih?.id ?? -1, bih: bih?.id ?? -1, whh: whh.id, clip: clip,
                              projected: projected, z: zs, r: rs, n: ns, rh: rh)
        let needsGrad = needs(x) || needs(h) || needs(whh) || (wih.map { needs($0) } ?? false) || (bih.map { needs($0) } ?? false)
        let out = record(.gru(rec), rows: bsz, cols: hid, needsGrad: needsGrad)
        let hv = ptr(h), o = ptr(out), wh = ptr(whh)
        let b: UnsafeMutablePointer<Float>
        if let wih, let bih {
            // All three input gates in one GEMM.
            b = ptr(bih)
            sgemm(false, true, m: bsz, n: h3, k: inp, a: ptr(x), lda: inp, b: ptr(wih), ldb: inp, beta: 0, c: gates, ldc: h3)
        } else {
            // Pre-computed projection (bias included): copy it and use a zero bias.
            gates.update(from: ptr(x), count: bsz * h3)
            b = arena.alloc(h3)
            b.update(repeating: 0, count: h3)
        }
        // The z/r recurrent part accumulated into the same buffer.
        sgemm(false, true, m: bsz, n: 2 * hid, k: hid, a: hv, lda: hid, b: wh, ldb: hid, beta: 1, c: gates, ldc: h3)
        // Element-wise passes read and write distinct buffers so the loops vectorise.
        for r in 0..<bsz {
            let gz = gates + r * h3, gr = gz + hid, hr = hv + r * hid
            let zr = zs + r * hid, rr = rs + r * hid, rhr = rh + r * hid
            let bz = b, br = b + hid
            for j in 0..<hid {
                let z = FastMath.sigmoid(gz[j] + bz[j])
                let rv = FastMath.sigmoid(gr[j] + br[j])
                zr[j] = z
                rr[j] = rv
                rhr[j] = rv * hr[j]
            }
        }
        sgemm(false, true, m: bsz, n: hid, k: hid, a: rh, lda: hid, b: wh + 2 * hid * hid, ldb: hid, beta: 0, c: o, ldc: hid)
        let lo = -clip, hi = clip
        let bn = b + 2 * hid
        for r in 0..<bsz {
            let gn = gates + r * h3 + 2 * hid, hr = hv + r * hid, orow = o + r * hid
            let zr = zs + r * hid, nr = ns + r * hid
            for j in 0..<hid {
                let n = FastMath.tanh(gn[j] + bn[j] + orow[j])
                nr[j] = n
                let z = zr[j]
                let hp = z * hr[j] + (1 - z) * n
                orow[j] = min(max(hp, lo), hi)
            }
        }
        return out
    }

    func backwardGRU(_ out: Node, _ rec: GRUOpRecord) {
        let dy = out.grad!
        let bsz = out.rows, hid = out.cols, h3 = 3 * hid
        let nx = nodes[Int(rec.x)], nh = nodes[Int(rec.h)]
        let inp = rec.projected ? 0 : nx.cols
        let zs = rec.z, rs = rec.r, ns = rec.n, rh = rec.rh, hv = nh.value
        let wh = ptr(rec.whh)
        let dh = nh.grad
        scratch.rewind()
        let dA = scratch.alloc(bsz * h3)
        let dRH = scratch.alloc(bsz * hid)
        let lo = -rec.clip, hi = rec.clip
        // Pass A: through the clamp, h' = z h + (1−z) n, and the z / n nonlinearities
        // (one output stream per loop so each vectorises).
        for r in 0..<bsz {
            let zr = zs + r * hid, nr = ns + r * hid, hr = hv + r * hid, d = dy + r * hid
            let daz = dA + r * h3, dan = daz + 2 * hid
            for j in 0..<hid {
                let z = zr[j], n = nr[j], hh = hr[j]
                let hp = z * hh + (1 - z) * n
                let dj = d[j]   // load unconditionally, then select: vectorises
                let dhp = min(max(hp, lo), hi) == hp ? dj : 0
                daz[j] = dhp * (hh - n) * z * (1 - z)
            }
            for j in 0..<hid {
                let z = zr[j], n = nr[j], hh = hr[j]
                let hp = z * hh + (1 - z) * n
                let dj = d[j]   // load unconditionally, then select: vectorises
                let dhp = min(max(hp, lo), hi) == hp ? dj : 0
                dan[j] = dhp * (1 - z) * (1 - n * n)
            }
            if let dh {
                let dhr = dh + r * hid
                for j in 0..<hid {
                    let z = zr[j], n = nr[j], hh = hr[j]
                    let hp = z * hh + (1 - z) * n
                    let dj = d[j]   // load unconditionally, then select: vectorises
                    let dhp = min(max(hp, lo), hi) == hp ? dj : 0
                    dhr[j] = dhr[j] + dhp * z
                }
            }
        }
        // d(r⊙h) = dAn · Un ; dUn += dAnᵀ · (r⊙h)
        sgemm(false, false, m: bsz, n: hid, k: hid, a: dA + 2 * hid, lda: h3, b: wh + 2 * hid * hid, ldb: hid,
              beta: 0, c: dRH, ldc: hid)
        let dWhh = gptr(rec.whh)
        if let dWhh {
            sgemm(true, false, m: hid, n: hid, k: bsz, a: dA + 2 * hid, lda: h3, b: rh, ldb: hid,
                  beta: 1, c: dWhh + 2 * hid * hid, ldc: hid)
        }
        // Pass B: reset gate.
        for r in 0..<bsz {
            let rr = rs + r * hid, hr = hv + r * hid, drh = dRH + r * hid, dar = dA + r * h3 + hid
            for j in 0..<hid {
                let rv = rr[j]
                dar[j] = drh[j] * hr[j] * rv * (1 - rv)
            }
            if let dh {
                let dhr = dh + r * hid
                for j in 0..<hid { dhr[j] = dhr[j] + drh[j] * rr[j] }
            }
        }
        if rec.projected, let dx = nx.grad {
            for i in 0..<bsz * h3 { dx[i] = dx[i] + dA[i] }
        }
        if !rec.projected, let dx = nx.grad, inp > 0 {
            sgemm(false, false, m: bsz, n: inp, k: h3, a: dA, lda: h3, b: ptr(rec.wih), ldb: inp, beta: 1, c: dx, ldc: inp)
        }
        if inp > 0, let dW = gptr(rec.wih) {
            sgemm(true, false, m: h3, n: inp, k: bsz, a: dA, lda: h3, b: nx.value, ldb: inp, beta: 1, c: dW, ldc: inp)
        }
        if rec.bih >= 0, let db = gptr(rec.bih) { addColumnSums(dA, rows: bsz, cols: h3, into: db) }
        if let dh {
            sgemm(false, false, m: bsz, n: hid, k: 2 * hid, a: dA, lda: h3, b: wh, ldb: hid, beta: 1, c: dh, ldc: hid)
        }
        if let dWhh {
            sgemm(true, false, m: 2 * hid, n: hid, k: bsz, a: dA, lda: h3, b: hv, ldb: hid, beta: 1, c: dWhh, ldc: hid)
        }
    }
}

/// FLOP count of one GRU step forward+backward (GEMMs: 18·B·H·(I+H); element-wise ≈ 40·B·H).
public func gruStepFlops(batch b: Int, input i: Int, hidden h: Int) -> Double {
    18.0 * Double(b * h * (i + h)) + 40.0 * Double(b * h)
}
