import Foundation
import LFADSData

extension Trainer {
    /// Posterior outputs of `checkpoints[0]` with its rates averaged over an ensemble: the written
    /// `{split}_output_params` (the posterior mean: rates, for Poisson) is the mean of those of every checkpoint that loads (models of
    /// this architecture, e.g. a PBT run's best worker-generations), each sampled as `writePosteriorOutputs`
    /// samples one model; factors, states, inferred inputs and initial conditions are those of
    /// `checkpoints[0]`. A later checkpoint that cannot be read, or whose rates are not all finite, is left out with a line to `log`. The
    /// files' root attribute `rates_ensemble` lists the checkpoints averaged. Ends with `checkpoints[0]` loaded.
    /// One file per session (`datasets`, `inputPaths` in session order); returns the paths.
    @discardableResult
    public func writeEnsemblePosteriorOutputs(checkpoints: [String], datasets: [LFADSDataset], inputPaths: [String],
                                              outputDir: String, samples: Int? = nil,
                                              log: (String) -> Void = { _ in }) throws -> [String] {
        guard let first = checkpoints.first else { throw TrainingError.badData("no checkpoint to write outputs of") }
        try checkSessionFiles(datasets: datasets, inputPaths: inputPaths)
        typealias Sessions = [[(LFADSSplitName, PosteriorSplitOutputs)]]
        func sample() throws -> Sessions {
            try datasets.indices.map { try posteriorSplits(dataset: datasets[$0], samples: samples, session: $0) }
        }
        /// `body` over every `output_params` buffer of `outputs` with the matching one of `other`.
        func forEachRates(_ outputs: inout Sessions, _ other: Sessions?, _ body: (inout [Float], [Float]?) -> Void) {
            for s in outputs.indices {
                for i in outputs[s].indices { body(&outputs[s][i].1.arrays["output_params"]!.values, other?[s][i].1.arrays["output_params"]!.values) }
            }
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
            var finite = true
            forEachRates(&outputs, member) { _, add in finite = finite && add!.allSatisfy(\.isFinite) }
            guard finite else {
                log("rates ensemble: leaving out \(path): its rates are not all finite")
                continue
            }
            forEachRates(&outputs, member) { sum, add in for k in sum.indices { sum[k] += add![k] } }
            used.append(path)
        }
        if checkpoints.count > 1 { try loadCheckpoint(first, overridingHPs: true) }
        let inv = 1 / Float(used.count)
        if used.count > 1 { forEachRates(&outputs, nil) { v, _ in for k in v.indices { v[k] *= inv } } }
        log("rates ensemble: mean posterior rates of \(used.count) of \(checkpoints.count) model(s)")
        let attribute = ("rates_ensemble", "mean posterior rates of \(used.count) model(s): " + used.joined(separator: ", "))
        return try inputPaths.indices.map {
            try writeOutputFile(dataset: datasets[$0], inputPath: inputPaths[$0], outputDir: outputDir,
                                outputs: outputs[$0], attributes: [attribute])
        }
    }
}
