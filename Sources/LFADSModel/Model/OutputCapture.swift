import Engine
import Foundation

/// Accumulates posterior-sample sums of every model output for one batch, time-major
/// (per-step outputs) or per trial (IC outputs), to be averaged over samples.
final class OutputCapture {
    /// Output names with per-step width (0 = absent), in LT file naming.
    let stepOutputs: [(name: String, width: Int)]
    /// Per-trial outputs: name and width.
    let trialOutputs: [(name: String, width: Int)]
    let batch: Int, steps: Int
    let config: LFADSConfig, neurons: Int
    var sums: [String: [Float]] = [:]

    init(config c: LFADSConfig, batch: Int) {
        self.batch = batch
        steps = c.reconSeqLen
        config = c; neurons = c.reconDataDim
        let k = c.reconstruction.parameterCount
        let co = c.hasController ? c.coDim : 0
        stepOutputs = [("output_params", c.reconDataDim),
                       ("output_dist_params", k > 1 ? k * c.reconDataDim : 0), ("factors", c.facDim), ("gen_states", c.genDim),
                       ("con_states", c.hasController ? c.conDim : 0), ("co_means", co), ("co_stds", co),
                       ("gen_inputs", co)].filter { $0.1 > 0 }
        trialOutputs = [("ic_mean", c.icDim), ("ic_std", c.icDim), ("gen_init", c.genDim)]
        for (name, w) in stepOutputs { sums[name] = [Float](repeating: 0, count: steps * batch * w) }
        for (name, w) in trialOutputs { sums[name] = [Float](repeating: 0, count: batch * w) }
    }

    private func add(_ name: String, at offset: Int, _ v: UnsafeMutableBufferPointer<Float>, transform: (Float) -> Float = { $0 }) {
        sums[name]!.withUnsafeMutableBufferPointer { s in
            for i in 0..<v.count { s[offset + i] += transform(v[i]) }
        }
    }

    func record(genInit: UnsafeMutableBufferPointer<Float>, icMean: UnsafeMutableBufferPointer<Float>,
                icStd: UnsafeMutableBufferPointer<Float>) {
        add("gen_init", at: 0, genInit); add("ic_mean", at: 0, icMean); add("ic_std", at: 0, icStd)
    }

    func record(step t: Int, tape: Tape, factors: Tensor, params: [Tensor], gen: Tensor, con: Tensor?,
                coMean: Tensor?, coStd: Tensor?, genInput: Tensor?) {
        func off(_ w: Int) -> Int { t * batch * w }
        let values = params.map { tape.value($0) }
        let k = values.count, n = neurons
        sums["output_params"]!.withUnsafeMutableBufferPointer { s in
            config.reconstruction.likelihood.addMeans(of: values, count: batch * n, to: s, offset: off(n), config: config)
        }
        if k > 1 {
            // Raw parameters side by side per trial row: [param 0 (N) | param 1 (N) | …].
            sums["output_dist_params"]!.withUnsafeMutableBufferPointer { s in
                for r in 0..<batch { for j in 0..<k { for m in 0..<n { s[off(k * n) + r * k * n + j * n + m] += values[j][r * n + m] } } }
            }
        }
        add("factors", at: off(factors.cols), tape.value(factors))
        add("gen_states", at: off(gen.cols), tape.value(gen))
        if let con { add("con_states", at: off(con.cols), tape.value(con)) }
        if let coMean { add("co_means", at: off(coMean.cols), tape.value(coMean)) }
        if let coStd { add("co_stds", at: off(coStd.cols), tape.value(coStd)) }
        if let genInput { add("gen_inputs", at: off(genInput.cols), tape.value(genInput)) }
    }
}
