import Foundation
import LFADSData

extension Trainer {
    /// Posterior outputs of `checkpoints[0]` with its rates averaged over an ensemble: the written
    /// `{split}_output_params` (the posterior mean: rates, for Poisson) is the mean of those of every checkpoint that loads (models of
    /// this architecture, e.g. a PBT run's best worker-generations), each sampled as `writePosteriorOutputs`
    /// samples one model; factors, states, inferred inputs and initial conditions are those of
    /// `checkpoints[0]`. A later checkpoint that cannot be read is left out with a line to `log`. The
    /// files' root attribute `rates_ensemble` lists the checkpoints averaged. Ends with `checkpoints[0]` loaded.
    /// One file per session (`datasets`, `inputPaths` in session order); returns the paths.
    @discardableResult
    public func writeEnsemblePosteriorOutputs(checkpoints: [String], datasets: [LFADSDataset], inputPaths: [String],
                                              outputDir: String, samples: Int? = nil,
                                              log: (String) -> Void = { _ in }) throws -> [String] {
        guard let first = checkpoints.first else { throw TrainingError.badData("no checkpoint to write outputs of") }
        try checkSessionFiles(datasets: datasets, inputPaths: inputPaths)
        func sample() throws -> [[(LFADSSplitName, PosteriorSplitOutputs)]] {
            try datasets.indices.map { try posteriorSplits(dataset: datasets[$0], samples: samples, session: $0) }
        }
        try loadCheckpoint(first, overridingHPs: true)
        var outputs = try sample()
        var used = [first]
        for path in checkpoints.dropFirst() {
            do { try loadCheckpoint(path, overridingHPs: true) } catch {
                log("rates ensemble: leaving out \(path): \(error)")
                continue
            }
            let member = try sample()
            for s in outputs.indices {
                for i in outputs[s].indices {
                    let add = member[s][i].1.arrays["output_params"]!.values
                    outputs[s][i].1.arrays["output_params"]!.values.withUnsafeMutableBufferPointer { sum in
                        for k in sum.indices { sum[k] += add[k] }
                    }
                }
            }
            used.append(path)
        }
        if checkpoints.count > 1 { try loadCheckpoint(first, overridingHPs: true) }
        if used.count > 1 {
            let inv = 1 / Float(used.count)
            for s in outputs.indices {
                for i in outputs[s].indices {
                    outputs[s][i].1.arrays["output_params"]!.values.withUnsafeMutableBufferPointer { v in
                        for k in v.indices { v[k] *= inv }
                    }
                }
            }
        }
        let attribute = ("rates_ensemble", "mean posterior rates of \(used.count) model(s): " + used.joined(separator: ", "))
        return try inputPaths.indices.map {
            try writeOutputFile(dataset: datasets[$0], inputPath: inputPaths[$0], outputDir: outputDir,
                                outputs: outputs[$0], attributes: [attribute])
        }
    }
}
