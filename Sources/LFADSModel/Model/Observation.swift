import Engine
import Foundation

extension LFADSNetwork {
    /// The observation model's distribution parameters from the readout output (B×N·k, parameter
    /// j in columns j·N..<(j+1)·N), as the likelihood uses them: Poisson [log-rate]; Gaussian
    /// [mean, log-variance]; MSE [mean]; Gamma [log α, log β]; ZIG [α, β, q] after sigmoid, clamp ≥ 1e-5 and
    /// the per-neuron scales.
    func distributionParams(tape: Tape, readout out: Tensor, head: SessionHead) -> [Tensor] {
        let n = head.reconNeurons
        let raw = (0..<config.reconstruction.parameterCount).map { tape.sliceCols(out, start: $0 * n, count: n) }
        guard let scale = head.zigScale else { return raw }
        func act(_ t: Tensor) -> Tensor { tape.clampMin(tape.sigmoid(t), 1e-5) }
        return [tape.mul(act(raw[0]), tape.param(scale.alpha)), tape.mul(act(raw[1]), tape.param(scale.beta)), act(raw[2])]
    }

    /// Element-wise NLL of target `y` under the distribution `params`.
    func observationNLL(tape: Tape, params p: [Tensor], target y: Tensor, gradientMask gm: Tensor?) -> Tensor {
        let nll: Tensor
        switch config.reconstruction {
        case .poisson: return tape.poissonNLL(logRate: p[0], target: y, gradientMask: gm)
        case .gaussian: nll = tape.gaussianNLL(mean: p[0], logVar: p[1], target: y)
        case .mse: nll = tape.squaredError(mean: p[0], target: y)
        case .gamma: nll = tape.gammaNLL(logAlpha: p[0], logBeta: p[1], target: y)
        case .zig: nll = tape.zeroInflatedGammaNLL(alpha: p[0], beta: p[1], q: p[2], target: y, loc: Float(config.gammaLoc))
        }
        return gm.map { tape.gradientMask(nll, $0) } ?? nll
    }

    /// ZIG scale penalty `scale_penalty·Σ (scale − scale_prior)²` over both scales of one session (nil when off).
    func scalePenalty(tape: Tape, head: SessionHead) -> Tensor? {
        guard let scale = head.zigScale, config.scalePenalty > 0 else { return nil }
        let prior = Float(config.scalePrior)
        func pull(_ p: Param) -> Tensor { tape.sum(tape.square(tape.addScalar(tape.param(p), -prior))) }
        return tape.scale(tape.add(pull(scale.alpha), pull(scale.beta)), Float(config.scalePenalty))
    }
}

extension ObservationModel {
    /// Mean of the distribution from the (activated) parameter values of one element.
    func mean(_ p: [Float], gammaLoc: Float) -> Float {
        switch self {
        case .poisson: return Foundation.exp(p[0])
        case .gaussian, .mse: return p[0]
        case .gamma: return Foundation.exp(p[0] - p[1])
        case .zig: return p[2] * (p[0] / p[1] + gammaLoc)
        }
    }
}
