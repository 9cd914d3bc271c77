import Engine
import Foundation

/// Spike counts: readout = log-rate; mean = rate; readout bias log(mean count), floored at 1e-3.
struct PoissonLikelihood: ObservationLikelihood {
    var name: String { "poisson" }
    var aliases: [String] { ["Poisson"] }
    var parameterNames: [String] { ["log_rate"] }
    var requiresCounts: Bool { true }

    func nll(tape: Tape, params: [Tensor], target: Tensor, gradientMask: Tensor?, config: LFADSConfig) -> Tensor {
        tape.poissonNLL(logRate: params[0], target: target, gradientMask: gradientMask)   // mask fused in the kernel
    }

    func addMeans(of params: [UnsafeMutableBufferPointer<Float>], count: Int, to sums: UnsafeMutableBufferPointer<Float>,
                  offset: Int, config: LFADSConfig) {
        let logRate = params[0]
        for i in 0..<count { sums[offset + i] += Foundation.exp(logRate[i]) }
    }

    func readoutBias(mean: Double, variance: Double, nonZero: Double) -> [Double?] { [log(max(mean, 1e-3))] }
}
