import Engine

/// The inferred inputs' AR(1) prior, as tensors of one forward pass: α = exp(−1/τ), noise variance
/// `nvar`, and the stationary variance nvar/(1−α²) of the first step.
struct ControllerPrior {
    var alpha: Tensor, nvar: Tensor, processVar: Tensor
    /// Zero mean of the first step's prior (1×co_dim).
    var zero: Tensor
}

/// One controller step's output: the generator input `u` and the posterior it came from.
struct ControllerStep {
    var u: Tensor
    var mean: Tensor, std: Tensor
    /// The fresh posterior sample the KL term used (the next step's prior is centred on α·it).
    var klSample: Tensor
    /// log q − log p of `klSample` per element (B×co_dim).
    var klElements: Tensor
}

extension LFADSNetwork {
    /// The AR(1) prior tensors of `ctl`'s learnt log τ and log noise variance.
    func controllerPrior(tape: Tape, _ ctl: ControllerParams) -> ControllerPrior {
        let a = tape.exp(tape.scale(tape.exp(tape.scale(tape.param(ctl.coLogTau), -1)), -1))
        let nv = tape.exp(tape.param(ctl.coLogNvar))
        let oneMinusA2 = tape.addScalar(tape.scale(tape.square(a), -1), 1)
        return ControllerPrior(alpha: a, nvar: nv, processVar: tape.mul(nv, tape.exp(tape.scale(tape.log(oneMinusA2), -1))),
                               zero: tape.constant(rows: 1, cols: config.coDim, repeating: 0))
    }

    /// Controller step `t`: the controller GRU reads the CI-encoder states lagged by `ci_lag` and the
    /// previous factors; its output is the inferred-input posterior (mean, log-variance), sampled
    /// (or its mean), and a second, fresh sample scores KL against the AR(1) prior (Monte Carlo KL).
    func controllerStep(tape: Tape, _ ctl: ControllerParams, prior: ControllerPrior, encoded e: EncodedBatch, step t: Int,
                        factors f: Tensor, state: inout Tensor, previousSample: Tensor?, drop: Float, sample: Bool,
                        rng: inout Rng) -> ControllerStep {
        let c = config, lag = c.ciLag, tEnc = c.encodSeqLen
        let ciF = (t - lag >= c.icEncSeqLen && t - lag < tEnc) ? e.ciFwd[t - lag] : e.zeroCI!
        let ciB = (t + lag >= c.icEncSeqLen && t + lag < tEnc) ? e.ciBwd[t + lag] : e.zeroCI!
        let conIn = dropout(tape.concatCols(tape.concatCols(ciF, ciB), f), tape: tape, rate: drop, rng: &rng)
        state = tape.gruCell(x: conIn, h: state, ctl.con)
        let co = tape.linear(state, tape.param(ctl.coLinearW), tape.param(ctl.coLinearB))
        let mean = tape.sliceCols(co, start: 0, count: c.coDim)
        let variance = tape.exp(tape.sliceCols(co, start: c.coDim, count: c.coDim))
        let std = tape.sqrt(variance)
        let u = sample ? tape.sampleGaussian(mean: mean, std: std, rng: &rng) : mean
        let fresh = tape.sampleGaussian(mean: mean, std: std, rng: &rng)
        let logQ = tape.logNormal(fresh, mean: mean, variance: variance)
        let logP = previousSample.map { tape.logNormal(fresh, mean: tape.mul($0, prior.alpha), variance: prior.nvar) }
            ?? tape.logNormal(fresh, mean: prior.zero, variance: prior.processVar)
        return ControllerStep(u: u, mean: mean, std: std, klSample: fresh, klElements: tape.sub(logQ, logP))
    }
}
