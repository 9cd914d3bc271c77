import Engine
import Foundation

/// Non-negative reals with exact zeros (calcium events; RADICaL): readout = (α, β, q) before a sigmoid,
/// α and β then times per-neuron scales (parameters `zig.scale_alpha`/`zig.scale_beta`, initialised at
/// `scale_init`, pulled towards `scale_prior` with weight `scale_penalty`); mean = q·(α/β + gamma_loc);
/// readout bias q = logit(fraction of non-zero values).
struct ZeroInflatedGammaLikelihood: ObservationLikelihood {
    var name: String { "zig" }
    var aliases: [String] { ["ZeroInflatedGamma", "zero_inflated_gamma"] }
    var parameterNames: [String] { ["alpha", "beta", "q"] }

    func extraParameters(store: ParameterStore, prefix: String, neurons: Int, config: LFADSConfig) -> [Param] {
        ["zig.scale_alpha", "zig.scale_beta"].map {
            store.add(prefix + $0, rows: 1, cols: neurons, init: .constant(Float(config.scaleInit)))
        }
    }

    /// α, β, q after the sigmoid, clamped ≥ 1e-5; α and β times their scales.
    func distribution(tape: Tape, raw: [Tensor], extra: [Param]) -> [Tensor] {
        func act(_ t: Tensor) -> Tensor { tape.clampMin(tape.sigmoid(t), 1e-5) }
        return [tape.mul(act(raw[0]), tape.param(extra[0])), tape.mul(act(raw[1]), tape.param(extra[1])), act(raw[2])]
    }

    func nll(tape: Tape, params: [Tensor], target: Tensor, gradientMask: Tensor?, config: LFADSConfig) -> Tensor {
        masked(tape.zeroInflatedGammaNLL(alpha: params[0], beta: params[1], q: params[2], target: target, loc: Float(config.gammaLoc)),
               gradientMask, tape: tape)
    }

    /// `scale_penalty·Σ (scale − scale_prior)²` over both scales (nil when off).
    func penalty(tape: Tape, extra: [Param], config: LFADSConfig) -> Tensor? {
        guard config.scalePenalty > 0 else { return nil }
        let prior = Float(config.scalePrior)
        func pull(_ p: Param) -> Tensor { tape.sum(tape.square(tape.addScalar(tape.param(p), -prior))) }
        return tape.scale(tape.add(pull(extra[0]), pull(extra[1])), Float(config.scalePenalty))
    }

    func addMeans(of params: [UnsafeMutableBufferPointer<Float>], count: Int, to sums: UnsafeMutableBufferPointer<Float>,
                  offset: Int, config: LFADSConfig) {
        let alpha = params[0], beta = params[1], q = params[2], loc = Float(config.gammaLoc)
        for i in 0..<count { sums[offset + i] += q[i] * (alpha[i] / beta[i] + loc) }
    }

    func readoutBias(mean: Double, variance: Double, nonZero: Double) -> [Double?] {
        let p = min(max(nonZero, 1e-3), 1 - 1e-3)
        return [nil, nil, log(p / (1 - p))]
    }
}
