import Foundation
import LFADSData
import FileSystem

/// A single-model training run in an output folder: `config.yaml`, `train_log.csv`,
/// `checkpoint_last.ckpt` (every epoch), `checkpoint_best.ckpt` (best smoothed valid metric of the epochs
/// past the KL/L2 ramps; the latest epoch until the ramps end),
/// and at the end `lfads_output_<stem>.h5` from the best weights. All files are written
/// atomically; a failed epoch (NaN) leaves the last good checkpoints in place.
public final class TrainingRun {
    public let trainer: Trainer
    /// The data file (session 0's for a stitched run).
    public var dataPath: String { dataPaths[0] }
    /// One data file per session.
    public let dataPaths: [String]
    public let outputDir: String
    public var lastPath: String { outputDir + "/checkpoint_last.ckpt" }
    public var bestPath: String { outputDir + "/checkpoint_best.ckpt" }
    public var logPath: String { outputDir + "/train_log.csv" }
    private var logLines: [String]

    /// How to start: fresh, resume `checkpoint_last.ckpt` in the output folder, or take another
    /// run's weights/optimiser/epoch with this config's hyperparameters.
    public enum Start { case fresh, resume, initFrom(String) }

    public convenience init(config: LFADSConfig, dataset: LFADSDataset, dataPath: String, outputDir: String,
                            start: Start, threads: Int? = nil) throws {
        try self.init(config: config, datasets: [dataset], dataPaths: [dataPath], outputDir: outputDir, start: start, threads: threads)
    }

    /// A run stitched across `datasets` (one per session, read from `dataPaths`); one dataset = a plain run.
    public init(config: LFADSConfig, datasets: [LFADSDataset], dataPaths: [String], outputDir: String,
                start: Start, threads: Int? = nil) throws {
        self.dataPaths = dataPaths
        self.outputDir = outputDir
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        let last = outputDir + "/checkpoint_last.ckpt"
        switch start {
        case .fresh:
            trainer = try Trainer(config: config, datasets: datasets, names: dataPaths, threads: threads)
        case .resume:
            guard FileManager.default.fileExists(atPath: last) else {
                throw CheckpointError.unreadable(path: last, reason: "nothing to resume (run without --resume first)")
            }
            trainer = try Trainer.resuming(from: last, datasets: datasets, names: dataPaths, threads: threads)
        case .initFrom(let path):
            trainer = try Trainer(config: config, datasets: datasets, names: dataPaths, threads: threads)
            try trainer.loadCheckpoint(path, overridingHPs: true)
        }
        // Keep log rows of epochs the trainer already has (resume), drop the rest.
        let kept: [String]
        if case .fresh = start { kept = [] } else {
            let old = (try? String(contentsOfFile: outputDir + "/train_log.csv", encoding: .utf8)) ?? ""
            let epoch = trainer.epoch
            let lines = old.split(separator: "\n")
            // Rows written before columns were appended (e.g. grad_norm) are padded to the header's width.
            let missing = max(0, EpochRecord.csvHeader.split(separator: ",").count - (lines.first?.split(separator: ",", omittingEmptySubsequences: false).count ?? 0))
            kept = lines.dropFirst().map { String($0) + String(repeating: ",", count: missing) }
                .filter { Int($0.prefix { $0 != "," }).map { $0 < epoch } ?? false }
        }
        logLines = [EpochRecord.csvHeader] + kept
        try AtomicFile.write(Data(trainer.config.yamlString().utf8), to: outputDir + "/config.yaml", createDirectories: false)
    }

    /// Trains until the trainer is finished or `maxEpochs` more epochs ran, saving after every
    /// epoch; `onEpoch` sees each record. Returns the best smoothed valid metric.
    @discardableResult
    public func run(maxEpochs: Int? = nil, onEpoch: (EpochRecord) -> Void = { _ in }) throws -> Double {
        var ran = 0
        while !trainer.isFinished && ran < (maxEpochs ?? Int.max) {
            let record = try trainer.runEpoch()
            ran += 1
            logLines.append(record.csvLine)
            try AtomicFile.write(Data((logLines.joined(separator: "\n") + "\n").utf8), to: logPath, createDirectories: false)
            // The best epoch past the ramps; until one exists, the latest epoch (a short run's output is its last state).
            let stopping = trainer.history.earlyStopping
            let alsoBest = stopping.isBest(epoch: record.epoch) || !stopping.hasBest || !FileManager.default.fileExists(atPath: bestPath)
            try CheckpointCodec.write(trainer.checkpoint(), to: alsoBest ? [lastPath, bestPath] : [lastPath])   // encoded once
            onEpoch(record)
        }
        return trainer.history.bestScore
    }

    /// Loads the best checkpoint's weights and writes the posterior-sampled outputs.
    public func writeOutputs(dataset: LFADSDataset, samples: Int? = nil) throws -> String {
        try writeOutputs(datasets: [dataset], samples: samples)[0]
    }

    /// Loads the best checkpoint's weights and writes one `lfads_output_<stem>.h5` per session.
    public func writeOutputs(datasets: [LFADSDataset], samples: Int? = nil) throws -> [String] {
        if FileManager.default.fileExists(atPath: bestPath) {
            try trainer.loadCheckpoint(bestPath, overridingHPs: false)
        }
        return try trainer.writePosteriorOutputs(datasets: datasets, inputPaths: dataPaths, outputDir: outputDir, samples: samples)
    }
}
