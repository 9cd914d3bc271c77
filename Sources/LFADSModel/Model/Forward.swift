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
    /// Records one forward pass over `inputs` on `tape`: the encoders (`encode`), then per reconstructed
    /// step the controller (`controllerStep`), the generator GRU, the factors, the readout and the
    /// observation NLL, then the loss (`loss`). Host-side numbers are read from the tape after the time loop.
    /// - Parameters:
    ///   - training: dropout on (CD masks are already in `inputs`).
    ///   - sample: sample the IC and inferred inputs (else use posterior means).
    ///   - capture: receives per-step outputs for posterior sampling.
    ///   - session: whose readin/readout to use (stitched models; `inputs` holds that session's trials).
    ///   - encoded: the batch's encoders already on `tape` (`encodeForSampling`; eval mode only): only the IC
    ///     sample is drawn (the same draw `encode` makes), so a pass costs the generator and controller alone.
    func forward(tape: Tape, inputs x: BatchInputs, rng: inout Rng, training: Bool, sample: Bool,
                 weights: LossWeights, capture: OutputCapture? = nil, collectTerms: Bool = false, session: Int = 0,
                 encoded: EncodedBatch? = nil) -> ForwardResult {
        let c = config
        let head = heads[session]
        let b = x.batch, tRec = c.reconSeqLen, nRec = head.reconNeurons
        let drop = training ? Float(c.dropoutRate) : 0
        precondition(encoded == nil || !training, "forward: reused encoders are for eval mode (no dropout)")
        let e: EncodedBatch
        if var reused = encoded {
            if sample { reused.icSample = tape.sampleGaussian(mean: reused.icMean, std: reused.icStd, rng: &rng) }
            e = reused
        } else {
            e = encode(tape: tape, inputs: x, head: head, drop: drop, sample: sample, rng: &rng)
        }
        var terms: [Tensor] = collectTerms ? [e.klIcElements] : []
        let prior = controller.map { controllerPrior(tape: tape, $0) }

        // Generator, controller and readout, step by step.
        var g = tape.linear(e.icSample, tape.param(g0W), tape.param(g0B))
        capture?.record(genInit: tape.value(g), icMean: tape.value(e.icMean), icStd: tape.value(e.icStd))
        let facWeight = tape.rowNormalize(tape.param(facW))
        let roW = tape.param(head.readoutW), roB = tape.param(head.readoutB)
        var f = tape.linear(dropout(g, tape: tape, rate: drop, rng: &rng), facWeight)
        var con: Tensor? = controller.map { initialState($0.conH0, tape: tape, batch: b, width: c.conDim) }
        var prevU: Tensor? = nil
        var klCoTotal: Tensor? = nil
        var reconTotal: Tensor? = nil
        var stepNLL: [Tensor] = [], stepRecon: [Tensor] = []
        stepNLL.reserveCapacity(tRec); stepRecon.reserveCapacity(tRec)
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
                var step: ControllerStep? = nil
                if let ctl = controller, let prior, var state = con {
                    let s = controllerStep(tape: tape, ctl, prior: prior, encoded: e, step: t, factors: f, state: &state,
                                           previousSample: prevU, drop: drop, sample: sample, rng: &rng)
                    con = state; prevU = s.klSample; step = s
                    if collectTerms { terms.append(s.klElements) }
                    let term = tape.sum(s.klElements)
                    klCoTotal = klCoTotal.map { tape.add($0, term) } ?? term
                }
                var genIn = step?.u ?? emptyInput
                if c.extInputDim > 0 {
                    let ext = dropout(tape.constant(rows: b, cols: c.extInputDim, copying: eBuf.baseAddress! + t * b * c.extInputDim),
                                      tape: tape, rate: drop, rng: &rng)
                    genIn = step == nil ? ext : tape.concatCols(genIn, ext)
                }
                g = tape.gruCell(x: genIn, h: g, gen)
                f = tape.linear(dropout(g, tape: tape, rate: drop, rng: &rng), facWeight)
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
                stepNLL.append(nll); stepRecon.append(term)
                capture?.record(step: t, tape: tape, factors: f, params: params, gen: g, con: con,
                                coMean: step?.mean, coStd: step?.std, genInput: step?.u)
            }
        }}}}}

        // Reported reconstruction: SV held-in / held-out means, or the mean over observed elements.
        var heldIn = 0.0, heldOut = 0.0, inCount = 0.0, outCount = 0.0
        x.lossMask.withUnsafeBufferPointer { mBuf in
        x.observed.withUnsafeBufferPointer { oBuf in
            for t in 0..<tRec {
                if sv > 0 {
                    let v = tape.value(stepNLL[t]), off = t * b * nRec
                    for i in 0..<v.count where !missing || oBuf[off + i] != 0 {
                        if mBuf[off + i] != 0 { heldIn += Double(v[i]); inCount += 1 } else { heldOut += Double(v[i]); outCount += 1 }
                    }
                } else {
                    heldIn += Double(tape.scalar(stepRecon[t]))
                }
            }
        }}
        let elements = Double(b * tRec * nRec)
        // Renormalised by 1/(1 − frac_nan) over the batch when targets are missing.
        let observedCount = missing ? x.observed.reduce(0.0) { $0 + Double($1) } : elements
        let parts = loss(tape: tape, head: head, batch: b, reconTotal: reconTotal!, observedCount: observedCount, klIc: e.klIc,
                         klCoTotal: klCoTotal, weights: weights, terms: &terms, collectTerms: collectTerms)
        if sv == 0 { inCount = observedCount }
        return ForwardResult(loss: parts.loss, reconHeldIn: heldIn / max(inCount, 1),
                             reconHeldOut: sv > 0 ? heldOut / max(outCount, 1) : nil,
                             klIc: Double(tape.scalar(e.klIc)), klCo: parts.klCo, l2: parts.l2, terms: terms)
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
