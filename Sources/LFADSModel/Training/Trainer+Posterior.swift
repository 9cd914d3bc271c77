import Engine
import Foundation
import LFADSData
import FileSystem

/// Posterior-sampled model outputs of one split, trial-major, keyed by LT output name
/// (`output_params`, `factors`, `gen_states`, `con_states`, `co_means`, `co_stds`,
/// `gen_inputs`, `ic_mean`, `ic_std`, `gen_init`).
public struct PosteriorSplitOutputs: Sendable {
    public var arrays: [String: (values: [Float], shape: [Int])]
}

extension Trainer {
    /// Posterior sampling (as lfads-torch does it): eval mode (no dropout, no CD, no SV),
    /// `samples` full forward passes with sampled IC and inferred inputs; every output is the
    /// mean over samples, rates = mean of exp(log-rate). The encoders run once per batch (in eval mode
    /// they are the same for every sample); each sample draws the IC and runs the controller and
    /// generator. With threads > 1 each batch is cut into one chunk of trials per thread.
    /// `session` picks the session of a stitched model (`split` must come from its data file).
    /// `reuseEncoders: false` runs one full pass per sample on one thread (the same outputs on one thread;
    /// kept as the benchmark's baseline).
    public func posteriorOutputs(_ split: LFADSSplit, samples: Int? = nil, seedStream: UInt64 = 0,
                                 session: Int = 0, reuseEncoders: Bool = true) throws -> PosteriorSplitOutputs {
        let c = sessions[session].config
        let arrays = try SplitArrays(split, reconBins: c.reconSeqLen, reconNeurons: c.reconDataDim, extDim: c.extInputDim,
                                     allowMissing: c.allowMissing)
        return posteriorOutputs(arrays, samples: max(1, samples ?? c.posteriorSamples), sample: true,
                                seedStream: seedStream, session: session, reuseEncoders: reuseEncoders)
    }

    /// Posterior outputs of already-prepared arrays. With `sample: false` one pass with the
    /// posterior means of the IC and inferred inputs (deterministic; used for per-generation metrics).
    func posteriorOutputs(_ arrays: SplitArrays, samples n: Int, sample: Bool, seedStream: UInt64,
                          session: Int, reuseEncoders: Bool = true) -> PosteriorSplitOutputs {
        let c = sessions[session].config, inputs = sessions[session].inputs
        var rng = Rng(seed: UInt64(c.seed), stream: 2_000_000 &+ seedStream &+ (UInt64(session) << 32))
        var result: [String: (values: [Float], shape: [Int])] = [:]
        tape.gradEnabled = false
        defer { tape.gradEnabled = true }
        for idx in Batching.sequentialBatches(trials: arrays.trials, batchSize: c.batchSize) {
            let parts: [(trials: [Int], capture: OutputCapture)]
            if shards.count > 1 && reuseEncoders {
                parts = shardedPosteriorSamples(arrays, trials: idx, samples: n, sample: sample, rng: &rng, session: session, config: c)
            } else {
                inputs.load(arrays, trials: idx)
                let capture = OutputCapture(config: c, batch: idx.count)
                samplePasses(tape: tape, inputs: inputs, samples: n, sample: sample, rng: &rng, into: capture, session: session,
                             reuseEncoders: reuseEncoders)
                parts = [(idx, capture)]
            }
            let inv = 1 / Float(n)
            for (trials, capture) in parts {
                for (name, w) in capture.stepOutputs {
                    if result[name] == nil { result[name] = ([Float](repeating: 0, count: arrays.trials * c.reconSeqLen * w), [arrays.trials, c.reconSeqLen, w]) }
                    let mean = capture.sums[name]!.map { $0 * inv }
                    Batching.scatterTrialMajor(mean, trials: trials, bins: c.reconSeqLen, features: w, into: &result[name]!.values)
                }
                for (name, w) in capture.trialOutputs {
                    if result[name] == nil { result[name] = ([Float](repeating: 0, count: arrays.trials * w), [arrays.trials, w]) }
                    let sums = capture.sums[name]!
                    for (j, trial) in trials.enumerated() {
                        for k in 0..<w { result[name]!.values[trial * w + k] = sums[j * w + k] * inv }
                    }
                }
            }
        }
        return PosteriorSplitOutputs(arrays: result)
    }

    /// `samples` eval passes over the batch loaded in `inputs`, recorded on `tape` (gradients off) and summed
    /// into `capture`: the encoders once (with `reuseEncoders`), then per sample the IC draw, the controller
    /// and the generator; otherwise one full pass per sample.
    func samplePasses(tape: Tape, inputs: BatchInputs, samples: Int, sample: Bool, rng: inout Rng, into capture: OutputCapture,
                      session: Int, reuseEncoders: Bool = true) {
        let weights = LossWeights(rampL2: 0, rampKL: 0)
        tape.reset()
        let encoded = reuseEncoders ? network.encodeForSampling(tape: tape, inputs: inputs, session: session) : nil
        let afterEncoders = tape.mark()
        for _ in 0..<samples {
            tape.rewind(to: afterEncoders)
            _ = network.forward(tape: tape, inputs: inputs, rng: &rng, training: false, sample: sample,
                                weights: weights, capture: capture, session: session, encoded: encoded)
        }
    }

    /// Writes `<outputDir>/lfads_output_<input stem>.h5`: a copy of the input file plus
    /// `{split}_{output}` for every split in `dataset` and `{split}_inds` where the input had
    /// none. Written atomically. Returns the output path.
    /// `session` picks the session of a stitched model (`dataset` must be its data file).
    @discardableResult
    public func writePosteriorOutputs(dataset: LFADSDataset, inputPath: String, outputDir: String,
                                      samples: Int? = nil, session: Int = 0) throws -> String {
        try writeOutputFile(dataset: dataset, inputPath: inputPath, outputDir: outputDir,
                            outputs: try posteriorSplits(dataset: dataset, samples: samples, session: session))
    }

    /// Posterior outputs of every non-empty split of `dataset`, in split order.
    func posteriorSplits(dataset: LFADSDataset, samples: Int?, session: Int) throws -> [(LFADSSplitName, PosteriorSplitOutputs)] {
        var outputs: [(LFADSSplitName, PosteriorSplitOutputs)] = []
        for (i, name) in LFADSSplitName.allCases.enumerated() {
            guard let split = dataset.splits[name], split.trialCount > 0 else { continue }
            outputs.append((name, try posteriorOutputs(split, samples: samples, seedStream: UInt64(i), session: session)))
        }
        return outputs
    }

    /// Writes `<outputDir>/lfads_output_<input stem>.h5` from computed outputs (see `writePosteriorOutputs`),
    /// with the extra root string `attributes`.
    func writeOutputFile(dataset: LFADSDataset, inputPath: String, outputDir: String,
                         outputs: [(LFADSSplitName, PosteriorSplitOutputs)], attributes: [(String, String)] = []) throws -> String {
        let stem = URL(fileURLWithPath: inputPath).deletingPathExtension().lastPathComponent
        let path = URL(fileURLWithPath: outputDir).appendingPathComponent("lfads_output_\(stem).h5").path
        try AtomicFile.write(to: path, createDirectories: false) { temp in
            try AtomicFile.copyContents(of: inputPath, into: temp)
            let file = try HDF5File(path: temp, mode: .readWrite)
            defer { file.close() }
            // Readers (report, evaluate) choose the metrics that fit: bits/spike only for Poisson.
            try file.writeStringAttribute("observation_model", config.reconstruction.rawValue)
            for (name, value) in attributes { try file.writeStringAttribute(name, value) }
            for (name, out) in outputs {
                for key in out.arrays.keys.sorted() {
                    let a = out.arrays[key]!
                    try file.write("\(name.rawValue)_\(key)", floats: a.values, shape: a.shape)
                }
                if !file.contains("\(name.rawValue)_inds") {
                    let trials = dataset.splits[name]!.trialCount
                    try file.write("\(name.rawValue)_inds", ints: dataset.splits[name]!.inds ?? Array(0..<trials), shape: [trials])
                }
            }
            try file.flush()
        }
        return path
    }
}

extension Trainer {
    /// Writes `lfads_output_<stem>.h5` for every session of a stitched model (`datasets` and
    /// `inputPaths` in session order); returns the paths. File stems must differ.
    @discardableResult
    public func writePosteriorOutputs(datasets: [LFADSDataset], inputPaths: [String], outputDir: String,
                                      samples: Int? = nil) throws -> [String] {
        try checkSessionFiles(datasets: datasets, inputPaths: inputPaths)
        return try inputPaths.indices.map {
            try writePosteriorOutputs(dataset: datasets[$0], inputPath: inputPaths[$0], outputDir: outputDir, samples: samples, session: $0)
        }
    }

    /// Throws unless there is one data file per session and the files' names (the output stems) differ.
    func checkSessionFiles(datasets: [LFADSDataset], inputPaths: [String]) throws {
        guard datasets.count == sessions.count, inputPaths.count == sessions.count else {
            throw TrainingError.badData("the model has \(sessions.count) sessions but \(inputPaths.count) data files were given; pass the files it was trained on")
        }
        let stems = inputPaths.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
        guard Set(stems).count == stems.count else {
            throw TrainingError.badData("data files \(inputPaths) share a file name; outputs are named lfads_output_<name>.h5, so rename one")
        }
    }
}
