import Engine

/// Real values scored by squared error (lfads-torch `MSE`): readout = mean; mean = mean; readout bias the data's mean.
struct SquaredErrorLikelihood: ObservationLikelihood {
    var name: String { "mse" }
    var aliases: [String] { ["MSE"] }
    var parameterNames: [String] { ["mean"] }

    func nll(tape: Tape, params: [Tensor], target: Tensor, gradientMask: Tensor?, config: LFADSConfig) -> Tensor {
        masked(tape.squaredError(mean: params[0], target: target), gradientMask, tape: tape)
    }

    func addMeans(of params: [UnsafeMutableBufferPointer<Float>], count: Int, to sums: UnsafeMutableBufferPointer<Float>,
                  offset: Int, config: LFADSConfig) {
        let mean = params[0]
        for i in 0..<count { sums[offset + i] += mean[i] }
    }

    func readoutBias(mean: Double, variance: Double, nonZero: Double) -> [Double?] { [mean] }
}
