import Engine
import Foundation

/// Real values: readout = (mean, log-variance); mean = mean; readout bias the data's mean and log variance.
struct GaussianLikelihood: ObservationLikelihood {
    var name: String { "gaussian" }
    var aliases: [String] { ["Gaussian", "normal"] }
    var parameterNames: [String] { ["mean", "log_var"] }

    func nll(tape: Tape, params: [Tensor], target: Tensor, gradientMask: Tensor?, config: LFADSConfig) -> Tensor {
        masked(tape.gaussianNLL(mean: params[0], logVar: params[1], target: target), gradientMask, tape: tape)
    }

    func addMeans(of params: [UnsafeMutableBufferPointer<Float>], count: Int, to sums: UnsafeMutableBufferPointer<Float>,
                  offset: Int, config: LFADSConfig) {
        let mean = params[0]
        for i in 0..<count { sums[offset + i] += mean[i] }
    }

    func readoutBias(mean: Double, variance: Double, nonZero: Double) -> [Double?] { [mean, log(variance)] }
}
