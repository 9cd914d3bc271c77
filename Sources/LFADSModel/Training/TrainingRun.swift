import Foundation
import LFADSData

/// A single-model training run in an output folder: `config.yaml`, `train_log.csv`,
/// `checkpoint_last.ckpt` (every epoch), `checkpoint_best.ckpt` (best smoothed valid metric),
/// and at the end `lfads_output_<stem>.h5` from the best weights. All files are written
/// atomically; a failed epoch (NaN) leaves the last good checkpoints in place.
public final class TrainingRun {
    public let trainer: Trainer
    public let dataPath: String
    public let outputDir: String
    public var lastPath: String { outputDir + "/checkpoint_last.ckpt" }
    public var bestPath: String { outputDir + "/checkpoint_best.ckpt" }
    public var logPath: String { outputDir + "/train_log.csv" }
    private var logLines: [String]

    /// How to start: fresh, resume `checkpoint_last.ckpt` in the output folder, or take another
    /// run's weights/optimiser/epoch with this config's hyperparameters.
    public enum Start { case fresh, resume, initFrom(String) }

    public init(config: LFADSConfig, dataset: LFADSDataset, dataPath: String, outputDir: String,
                start: Start, threads: Int? = nil) throws {
        self.dataPath = dataPath
        self.outputDir = outputDir
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        let last = outputDir + "/checkpoint_last.ckpt"
        switch start {
        case .fresh:
            trainer = try Trainer(config: config, dataset: dataset, threads: threads)
        case .resume:
            guard FileManager.default.fileExists(atPath: last) else {
                throw CheckpointError.unreadable(path: last, reason: "nothing to resume (run without --resume first)")
            }
            trainer = try Trainer.resuming(from: last, dataset: dataset, threads: threads)
        case .initFrom(let path):
            trainer = try Trainer(config: config, dataset: dataset, threads: threads)
            try trainer.loadCheckpoint(path, overridingHPs: true)
        }
        // Keep log rows of epochs the trainer already has (resume), drop the rest.
        let kept: [String]
        if case .fresh = start { kept = [] } else {
            let old = (try? String(contentsOfFile: outputDir + "/train_log.csv", encoding: .utf8)) ?? ""
            let epoch = trainer.epoch
            kept = old.split(separator: "\n").dropFirst().map(String.init)
                .filter { Int($0.prefix { $0 != "," }).map { $0 < epoch } ?? false }
        }
        logLines = [EpochRecord.csvHeader] + kept
        try AtomicFile.write(Array(trainer.config.yamlString().utf8), to: outputDir + "/config.yaml")
    }

    /// Trains until the trainer is finished or `maxEpochs` more epochs ran, saving after every
    /// epoch; `onEpoch` sees each record. Returns the best smoothed valid metric.
    @discardableResult
    public func run(maxEpochs: Int? = nil, onEpoch: (EpochRecord) -> Void = { _ in }) throws -> Double {
        var ran = 0
        while !trainer.isFinished && ran < (maxEpochs ?? Int.max) {
            let before = trainer.history.bestScore
            let record = try trainer.runEpoch()
            ran += 1
            logLines.append(record.csvLine)
            try AtomicFile.write(Array((logLines.joined(separator: "\n") + "\n").utf8), to: logPath)
            try trainer.saveCheckpoint(to: lastPath)
            if record.smoothedValid < before || !FileManager.default.fileExists(atPath: bestPath) {
                try trainer.saveCheckpoint(to: bestPath)
            }
            onEpoch(record)
        }
        return trainer.history.bestScore
    }

    /// Loads the best checkpoint's weights and writes the posterior-sampled outputs.
    public func writeOutputs(dataset: LFADSDataset, samples: Int? = nil) throws -> String {
        if FileManager.default.fileExists(atPath: bestPath) {
            try trainer.loadCheckpoint(bestPath, overridingHPs: false)
        }
        return try trainer.writePosteriorOutputs(dataset: dataset, inputPath: dataPath, outputDir: outputDir, samples: samples)
    }
}
