import Engine
import Foundation

/// Positive reals: readout = (log α, log β); mean = α/β; readout bias by moments (α = m²/v, β = m/v, m ≥ 1e-3).
struct GammaLikelihood: ObservationLikelihood {
    var name: String { "gamma" }
    var aliases: [String] { ["Gamma"] }
    var parameterNames: [String] { ["log_alpha", "log_beta"] }

    func nll(tape: Tape, params: [Tensor], target: Tensor, gradientMask: Tensor?, config: LFADSConfig) -> Tensor {
        masked(tape.gammaNLL(logAlpha: params[0], logBeta: params[1], target: target), gradientMask, tape: tape)
    }

    func addMeans(of params: [UnsafeMutableBufferPointer<Float>], count: Int, to sums: UnsafeMutableBufferPointer<Float>,
                  offset: Int, config: LFADSConfig) {
        let logAlpha = params[0], logBeta = params[1]
        for i in 0..<count { sums[offset + i] += Foundation.exp(logAlpha[i] - logBeta[i]) }
    }

    func readoutBias(mean: Double, variance: Double, nonZero: Double) -> [Double?] {
        let m = max(mean, 1e-3)
        return [log(m * m / variance), log(m / variance)]
    }
}
