import Engine

/// What the encoders made of one batch: the (dropped) encoder inputs, the initial-condition posterior
/// and its sample, and the controller-input encoders' per-step states.
struct EncodedBatch {
    /// Encoder input of each step (after the readin and dropout), shared by both encoders.
    var inputs: [Tensor]
    var icMean: Tensor, icStd: Tensor
    /// The generator's initial condition: a posterior sample, or the mean when not sampling.
    var icSample: Tensor
    /// KL(q(g0) ‖ p(g0)) per element (B×ic_dim) and its batch mean (1×1).
    var klIcElements: Tensor, klIc: Tensor
    /// Forward and backward CI-encoder states per encoder step (empty without a controller).
    var ciFwd: [Tensor] = [], ciBwd: [Tensor] = []
    /// Zeros standing in for CI states outside the encoded steps (nil without a controller).
    var zeroCI: Tensor?
}

extension LFADSNetwork {
    /// Dropout at `rate` (identity at 0).
    func dropout(_ t: Tensor, tape: Tape, rate: Float, rng: inout Rng) -> Tensor {
        rate > 0 ? tape.dropout(t, rate: rate, rng: &rng) : t
    }

    /// A learnt initial state broadcast over the batch.
    func initialState(_ p: Param, tape: Tape, batch: Int, width: Int) -> Tensor {
        tape.add(tape.constant(rows: batch, cols: width, repeating: 0), tape.param(p))
    }

    /// The encoders of a loaded batch in eval mode (no dropout, IC = its posterior mean), recorded once on
    /// `tape` for `forward(…, encoded:)` to reuse across posterior samples: in eval mode they draw no random
    /// numbers, so the samples draw exactly what full passes would.
    func encodeForSampling(tape: Tape, inputs x: BatchInputs, session: Int) -> EncodedBatch {
        var unused = Rng(seed: 0)
        return encode(tape: tape, inputs: x, head: heads[session], drop: 0, sample: false, rng: &unused)
    }

    /// The readin and the two encoders: the IC encoder (bidirectional GRU over the first `icEncBins`
    /// steps, then a linear map to the posterior mean and log-variance) and, with a controller, the
    /// CI encoder (bidirectional GRU over steps `icEncSeqLen..<encodSeqLen`).
    func encode(tape: Tape, inputs x: BatchInputs, head: SessionHead, drop: Float, sample: Bool, rng: inout Rng) -> EncodedBatch {
        let c = config
        let b = x.batch, tEnc = c.encodSeqLen, nEnc = head.encodNeurons
        let inputs: [Tensor] = x.encod.withUnsafeBufferPointer { buf in
            (0..<tEnc).map { t in
                let raw = tape.constant(rows: b, cols: nEnc, copying: buf.baseAddress! + t * b * nEnc)
                return dropout(head.readin.map { tape.linear(raw, tape.param($0.w), tape.param($0.b)) } ?? raw,
                               tape: tape, rate: drop, rng: &rng)
            }
        }

        let tIc = c.icEncBins
        var hf = initialState(icEncH0Fwd, tape: tape, batch: b, width: c.icEncDim)
        var hb = initialState(icEncH0Bwd, tape: tape, batch: b, width: c.icEncDim)
        for t in 0..<tIc { hf = tape.gruCell(x: inputs[t], h: hf, icEncFwd) }
        for t in stride(from: tIc - 1, through: 0, by: -1) { hb = tape.gruCell(x: inputs[t], h: hb, icEncBwd) }
        let icParams = tape.linear(dropout(tape.concatCols(hf, hb), tape: tape, rate: drop, rng: &rng),
                                   tape.param(icLinearW), tape.param(icLinearB))
        let icMean = tape.sliceCols(icParams, start: 0, count: c.icDim)
        let icVar = tape.addScalar(tape.exp(tape.sliceCols(icParams, start: c.icDim, count: c.icDim)), Float(c.icPostVarMin))
        let icStd = tape.sqrt(icVar)
        let icSample = sample ? tape.sampleGaussian(mean: icMean, std: icStd, rng: &rng) : icMean
        let klIcElements = tape.klGaussian(meanQ: icMean, varQ: icVar, meanP: tape.param(icPriorMean),
                                           varP: tape.constant(rows: 1, cols: 1, repeating: Float(c.icPriorVar)))
        var e = EncodedBatch(inputs: inputs, icMean: icMean, icStd: icStd, icSample: icSample,
                             klIcElements: klIcElements, klIc: tape.scale(tape.sum(klIcElements), 1 / Float(b)))

        if let ctl = controller {
            let s0 = c.icEncSeqLen
            var f = initialState(ctl.ciEncH0Fwd, tape: tape, batch: b, width: c.ciEncDim)
            var bw = initialState(ctl.ciEncH0Bwd, tape: tape, batch: b, width: c.ciEncDim)
            e.ciFwd = [Tensor](repeating: f, count: tEnc); e.ciBwd = e.ciFwd
            for t in s0..<tEnc { f = tape.gruCell(x: inputs[t], h: f, ctl.ciEncFwd); e.ciFwd[t] = f }
            for t in stride(from: tEnc - 1, through: s0, by: -1) { bw = tape.gruCell(x: inputs[t], h: bw, ctl.ciEncBwd); e.ciBwd[t] = bw }
            e.zeroCI = tape.constant(rows: b, cols: c.ciEncDim, repeating: 0)
        }
        return e
    }
}
