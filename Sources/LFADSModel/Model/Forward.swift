import Engine
import Foundation

/// Loss weights of one step (ramps already applied).
struct LossWeights {
    var rampL2: Double
    var rampKL: Double
}

/// What one forward pass recorded: the scaled loss tensor plus the parts, as plain numbers.
struct ForwardResult {
    /// `loss_scale·[recon + r_L2·L2 + r_KL·(kl_ic·KL_ic + kl_co·KL_co)]` (1×1).
    var loss: Tensor
    /// Mean recon NLL over SV held-in elements (all elements when SV is off).
    var reconHeldIn: Double
    /// Mean recon NLL over SV held-out elements (nil when SV is off).
    var reconHeldOut: Double?
    var klIc: Double
    var klCo: Double
    var l2: Double
    /// Per-element loss terms, each with B rows (filled only when `collectTerms`), for
    /// gradient checks in Float32: per-step masked NLL, KL_ic, per-step KL_co, L2 (broadcast).
    var terms: [Tensor] = []
}

extension LFADSNetwork {
    /// Records one forward pass over `inputs` on `tape` (LFADS_SPEC §1.1, §1.4, §1.6, §2).
    /// - Parameters:
    ///   - training: dropout on (CD masks are already in `inputs`).
    ///   - sample: sample the IC and inferred inputs (else use posterior means).
    ///   - capture: receives per-step outputs for posterior sampling.
    ///   - session: whose readin/readout to use (stitched models; `inputs` holds that session's trials).
    func forward(tape: Tape, inputs x: BatchInputs, rng: inout Rng, training: Bool, sample: Bool,
                 weights: LossWeights, capture: OutputCapture? = nil, collectTerms: Bool = false, session: Int = 0) -> ForwardResult {
        let c = config
        let head = heads[session]
        let b = x.batch, tEnc = c.encodSeqLen, nEnc = head.encodNeurons, tRec = c.reconSeqLen, nRec = head.reconNeurons
        let drop = training ? Float(c.dropoutRate) : 0
        func dropout(_ t: Tensor) -> Tensor { drop > 0 ? tape.dropout(t, rate: drop, rng: &rng) : t }
        func h0(_ p: Param, _ width: Int) -> Tensor {
            tape.add(tape.constant(rows: b, cols: width, repeating: 0), tape.param(p))
        }

        // Dropped encoder inputs, shared by both encoders.
        let inputs: [Tensor] = x.encod.withUnsafeBufferPointer { buf in
            (0..<tEnc).map { t in
                let raw = tape.constant(rows: b, cols: nEnc, copying: buf.baseAddress! + t * b * nEnc)
                return dropout(head.readin.map { tape.linear(raw, tape.param($0.w), tape.param($0.b)) } ?? raw)
            }
        }

        // IC encoder over the first icEncBins steps.
        let tIc = c.icEncBins
        var hf = h0(icEncH0Fwd, c.icEncDim), hb = h0(icEncH0Bwd, c.icEncDim)
        for t in 0..<tIc { hf = tape.gruCell(x: inputs[t], h: hf, icEncFwd) }
        for t in stride(from: tIc - 1, through: 0, by: -1) { hb = tape.gruCell(x: inputs[t], h: hb, icEncBwd) }
        let icParams = tape.linear(dropout(tape.concatCols(hf, hb)), tape.param(icLinearW), tape.param(icLinearB))
        let icMean = tape.sliceCols(icParams, start: 0, count: c.icDim)
        let icVar = tape.addScalar(tape.exp(tape.sliceCols(icParams, start: c.icDim, count: c.icDim)), Float(c.icPostVarMin))
        let icStd = tape.sqrt(icVar)
        let icSample = sample ? tape.sampleGaussian(mean: icMean, std: icStd, rng: &rng) : icMean
        var terms: [Tensor] = []
        let klIcElements = tape.klGaussian(meanQ: icMean, varQ: icVar, meanP: tape.param(icPriorMean),
                                           varP: tape.constant(rows: 1, cols: 1, repeating: Float(c.icPriorVar)))
        if collectTerms { terms.append(klIcElements) }
        let klIcT = tape.scale(tape.sum(klIcElements), 1 / Float(b))

        // CI encoder (bidirectional over steps icEncSeqLen..<tEnc), lagged per step.
        var ciFwd: [Tensor] = [], ciBwd: [Tensor] = []
        var zeroCI: Tensor? = nil
        var alpha: Tensor? = nil, nvar: Tensor? = nil, procVar: Tensor? = nil, zeroCO: Tensor? = nil
        if let ctl = controller {
            let s0 = c.icEncSeqLen
            var f = h0(ctl.ciEncH0Fwd, c.ciEncDim), bw = h0(ctl.ciEncH0Bwd, c.ciEncDim)
            ciFwd = [Tensor](repeating: f, count: tEnc); ciBwd = ciFwd
            for t in s0..<tEnc { f = tape.gruCell(x: inputs[t], h: f, ctl.ciEncFwd); ciFwd[t] = f }
            for t in stride(from: tEnc - 1, through: s0, by: -1) { bw = tape.gruCell(x: inputs[t], h: bw, ctl.ciEncBwd); ciBwd[t] = bw }
            zeroCI = tape.constant(rows: b, cols: c.ciEncDim, repeating: 0)
            // AR(1) prior: α = exp(−1/τ), σ_p² = nvar/(1−α²).
            let a = tape.exp(tape.scale(tape.exp(tape.scale(tape.param(ctl.coLogTau), -1)), -1))
            let nv = tape.exp(tape.param(ctl.coLogNvar))
            let oneMinusA2 = tape.addScalar(tape.scale(tape.square(a), -1), 1)
            procVar = tape.mul(nv, tape.exp(tape.scale(tape.log(oneMinusA2), -1)))
            alpha = a; nvar = nv
            zeroCO = tape.constant(rows: 1, cols: c.coDim, repeating: 0)
        }

        // Decoder.
        var g = tape.linear(icSample, tape.param(g0W), tape.param(g0B))
        capture?.record(genInit: tape.value(g), icMean: tape.value(icMean), icStd: tape.value(icStd))
        let facWeight = tape.rowNormalize(tape.param(facW))
        let roW = tape.param(head.readoutW), roB = tape.param(head.readoutB)
        var f = tape.linear(dropout(g), facWeight)
        var con: Tensor? = controller.map { h0($0.conH0, c.conDim) }
        var prevU: Tensor? = nil
        var klCoTotal: Tensor? = nil
        var reconTotal: Tensor? = nil
        var heldIn = 0.0, heldOut = 0.0, inCount = 0.0, outCount = 0.0
        let missing = x.hasMissing
        let emptyInput = tape.constant(rows: b, cols: 0)
        let sv = c.svRate
        let useGradMask = training && c.cdRate > 0
        x.recon.withUnsafeBufferPointer { yBuf in
        x.gradMask.withUnsafeBufferPointer { gBuf in
        x.lossMask.withUnsafeBufferPointer { mBuf in
        x.ext.withUnsafeBufferPointer { eBuf in
        x.observed.withUnsafeBufferPointer { oBuf in
            for t in 0..<tRec {
                var u: Tensor? = nil
                var coMean: Tensor? = nil, coStd: Tensor? = nil
                if let ctl = controller, var conState = con {
                    let lag = c.ciLag
                    let ciF = (t - lag >= c.icEncSeqLen && t - lag < tEnc) ? ciFwd[t - lag] : zeroCI!
                    let ciB = (t + lag >= c.icEncSeqLen && t + lag < tEnc) ? ciBwd[t + lag] : zeroCI!
                    let conIn = dropout(tape.concatCols(tape.concatCols(ciF, ciB), f))
                    conState = tape.gruCell(x: conIn, h: conState, ctl.con)
                    con = conState
                    let co = tape.linear(conState, tape.param(ctl.coLinearW), tape.param(ctl.coLinearB))
                    let mean = tape.sliceCols(co, start: 0, count: c.coDim)
                    let variance = tape.exp(tape.sliceCols(co, start: c.coDim, count: c.coDim))
                    let std = tape.sqrt(variance)
                    u = sample ? tape.sampleGaussian(mean: mean, std: std, rng: &rng) : mean
                    coMean = mean; coStd = std
                    // Sampled KL against the AR(1) prior with a fresh sample.
                    let fresh = tape.sampleGaussian(mean: mean, std: std, rng: &rng)
                    let logQ = tape.logNormal(fresh, mean: mean, variance: variance)
                    let logP = prevU.map { tape.logNormal(fresh, mean: tape.mul($0, alpha!), variance: nvar!) }
                        ?? tape.logNormal(fresh, mean: zeroCO!, variance: procVar!)
                    prevU = fresh
                    let klElements = tape.sub(logQ, logP)
                    if collectTerms { terms.append(klElements) }
                    let term = tape.sum(klElements)
                    klCoTotal = klCoTotal.map { tape.add($0, term) } ?? term
                }
                var genIn = u ?? emptyInput
                if c.extInputDim > 0 {
                    let e = dropout(tape.constant(rows: b, cols: c.extInputDim, copying: eBuf.baseAddress! + t * b * c.extInputDim))
                    genIn = u == nil ? e : tape.concatCols(genIn, e)
                }
                g = tape.gruCell(x: genIn, h: g, gen)
                f = tape.linear(dropout(g), facWeight)
                let params = distributionParams(tape: tape, readout: tape.linear(f, roW, roB), head: head)
                let off = t * b * nRec
                let y = tape.constant(rows: b, cols: nRec, copying: yBuf.baseAddress! + off)
                // The CD gradient mask only matters in training with CD; the SV mask only with SV;
                // the observed mask only when targets are missing (selective backprop through time).
                let gm = useGradMask ? tape.constant(rows: b, cols: nRec, copying: gBuf.baseAddress! + off) : nil
                let nll = observationNLL(tape: tape, params: params, target: y, gradientMask: gm)
                var masked = nll
                if sv > 0 || missing {
                    let m = tape.constant(rows: b, cols: nRec, copying: (sv > 0 ? mBuf : oBuf).baseAddress! + off)
                    if sv > 0 && missing { let mv = tape.value(m); for i in 0..<mv.count { mv[i] *= oBuf[off + i] } }
                    masked = tape.mul(nll, m)
                }
                if collectTerms { terms.append(masked) }
                let term = tape.sum(masked)
                reconTotal = reconTotal.map { tape.add($0, term) } ?? term
                if sv > 0 {
                    let v = tape.value(nll)
                    for i in 0..<v.count where !missing || oBuf[off + i] != 0 {
                        if mBuf[off + i] != 0 { heldIn += Double(v[i]); inCount += 1 } else { heldOut += Double(v[i]); outCount += 1 }
                    }
                } else {
                    heldIn += Double(tape.scalar(term))
                }
                capture?.record(step: t, tape: tape, factors: f, params: params, gen: g, con: con,
                                coMean: coMean, coStd: coStd, genInput: u)
            }
        }}}}}

        let elements = Double(b * tRec * nRec)
        // Renormalised by 1/(1 − frac_nan) over the batch when targets are missing.
        let observedCount = missing ? x.observed.reduce(0.0) { $0 + Double($1) } : elements
        let reconT = tape.scale(reconTotal!, Float(1 / (max(observedCount, 1) * (1 - sv))))
        var total = reconT
        if let penalty = scalePenalty(tape: tape, head: head) { total = tape.add(total, penalty) }
        // L2 on recurrent kernels: Σ s_k·½‖W_k‖² / Σ numel(W_k).
        var l2Value = 0.0
        let kernels = l2Kernels
        if !kernels.isEmpty && weights.rampL2 > 0 {
            let numel = Float(kernels.reduce(0) { $0 + $1.0.count })
            var l2: Tensor? = nil
            for (p, s) in kernels {
                let term = tape.scale(tape.sum(tape.square(tape.param(p))), Float(0.5 * s) / numel)
                l2 = l2.map { tape.add($0, term) } ?? term
            }
            l2Value = Double(tape.scalar(l2!))
            if collectTerms { terms.append(tape.add(tape.constant(rows: b, cols: 1, repeating: 0), l2!)) }
            total = tape.add(total, tape.scale(l2!, Float(weights.rampL2)))
        }
        var klCoValue = 0.0
        if weights.rampKL > 0 {
            var kl = tape.scale(klIcT, Float(c.klIcScale))
            if let k = klCoTotal {
                let klCo = tape.scale(k, 1 / Float(b))
                klCoValue = Double(tape.scalar(klCo))
                kl = tape.add(kl, tape.scale(klCo, Float(c.klCoScale)))
            }
            total = tape.add(total, tape.scale(kl, Float(weights.rampKL)))
        } else if let k = klCoTotal {
            klCoValue = Double(tape.scalar(k)) / Double(b)
        }
        let loss = tape.scale(total, Float(c.lossScale))
        if sv == 0 { inCount = observedCount }
        return ForwardResult(loss: loss, reconHeldIn: heldIn / max(inCount, 1),
                             reconHeldOut: sv > 0 ? heldOut / max(outCount, 1) : nil,
                             klIc: Double(tape.scalar(klIcT)), klCo: klCoValue, l2: l2Value, terms: terms)
    }
}

extension ForwardResult {
    /// The sessions' results of one stitched step combined: loss = mean of the session losses
    /// (on `tape`), every reported number the mean over sessions.
    static func mean(_ results: [ForwardResult], on tape: Tape) -> ForwardResult {
        let k = Double(results.count)
        let sum = results.dropFirst().reduce(results[0].loss) { tape.add($0, $1.loss) }
        func avg(_ f: (ForwardResult) -> Double) -> Double { results.reduce(0) { $0 + f($1) } / k }
        return ForwardResult(loss: tape.scale(sum, Float(1 / k)), reconHeldIn: avg(\.reconHeldIn),
                             reconHeldOut: results[0].reconHeldOut == nil ? nil : avg { $0.reconHeldOut ?? 0 },
                             klIc: avg(\.klIc), klCo: avg(\.klCo), l2: avg(\.l2), terms: results.flatMap(\.terms))
    }
}
