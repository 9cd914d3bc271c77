import Foundation
import LFADSData
import Testing
@testable import LFADSModel

@Suite struct TrainingRunTests {
    @Test func runWritesLogCheckpointsAndOutputsAndResumes() throws {
        let dir = Fixtures.tempDir()
        let dataPath = dir + "/tiny.h5"
        let data = Fixtures.tinyDataset(trials: 12, ext: 2)
        try LFADSWriter.write(data, to: dataPath)
        let loaded = try LFADSReader.read(dataPath)
        var c = Fixtures.tinyConfig()
        c.maxEpochs = 3
        let out = dir + "/run"
        let run = try TrainingRun(config: c, dataset: loaded, dataPath: dataPath, outputDir: out, start: .fresh)
        try run.run(maxEpochs: 2)
        var log = try String(contentsOfFile: run.logPath, encoding: .utf8).split(separator: "\n")
        #expect(log.count == 3 && log[0].hasPrefix("epoch,train_recon"))

        let resumed = try TrainingRun(config: c, dataset: loaded, dataPath: dataPath, outputDir: out, start: .resume)
        #expect(resumed.trainer.epoch == 2)
        try resumed.run()
        #expect(resumed.trainer.epoch == 3 && resumed.trainer.isFinished)
        log = try String(contentsOfFile: run.logPath, encoding: .utf8).split(separator: "\n")
        #expect(log.map { $0.prefix(2) } == ["ep", "0,", "1,", "2,"])

        let path = try resumed.writeOutputs(dataset: loaded, samples: 2)
        #expect(path == out + "/lfads_output_tiny.h5")
        let file = try HDF5File(path: path)
        defer { file.close() }
        let names = Set(try file.datasetNames())
        for split in ["train", "valid"] {
            for key in ["output_params", "factors", "gen_states", "con_states", "co_means", "co_stds", "gen_inputs",
                        "ic_mean", "ic_std", "gen_init", "inds", "encod_data", "recon_data"] {
                #expect(names.contains("\(split)_\(key)"), "missing \(split)_\(key)")
            }
        }
        let rates = try file.readFloats("valid_output_params")
        #expect(rates.shape == [6, 8, 7] && rates.values.allSatisfy { $0 > 0 && $0.isFinite })
        #expect(try file.readFloats("train_factors").shape == [12, 8, c.facDim])
    }

    /// The best checkpoint (the outputs' weights) is an epoch at full KL/L2 weight: a lower validation loss
    /// inside the ramps comes from a less regularised objective. Until the ramps end it is the latest epoch.
    @Test func bestCheckpointIsAnEpochPastTheRamps() throws {
        let dir = Fixtures.tempDir()
        let dataPath = dir + "/tiny.h5"
        try LFADSWriter.write(Fixtures.tinyDataset(trials: 12, ext: 2), to: dataPath)
        let loaded = try LFADSReader.read(dataPath)
        var c = Fixtures.tinyConfig()
        c.klIncreaseEpoch = 3; c.l2IncreaseEpoch = 3; c.maxEpochs = 7
        #expect(c.rampEndEpoch == 3)
        let run = try TrainingRun(config: c, dataset: loaded, dataPath: dataPath, outputDir: dir + "/run", start: .fresh)
        var bestDuringRamps: [Int] = []
        try run.run(maxEpochs: 3) { _ in
            bestDuringRamps.append((try? CheckpointCodec.read(from: run.bestPath).epoch) ?? -1)
        }
        #expect(bestDuringRamps == [1, 2, 3], "inside the ramps the best checkpoint follows the latest epoch")
        try run.run()
        let stopping = run.trainer.history.earlyStopping
        let best = try CheckpointCodec.read(from: run.bestPath)
        #expect(stopping.hasBest && stopping.bestEpoch >= 3)
        #expect(best.epoch == stopping.bestEpoch + 1)
        #expect(run.trainer.history.bestScore == stopping.best)
        let smoothed = run.trainer.records.map(\.smoothedValid)
        #expect(smoothed.count == 7 && stopping.best == smoothed[3...].min(), "the lowest smoothed loss from epoch 3 on: \(smoothed)")
    }

    @Test func damagedCheckpointIsNotResumed() throws {
        let dir = Fixtures.tempDir()
        let data = Fixtures.tinyDataset()
        let run = try TrainingRun(config: Fixtures.tinyConfig(), dataset: data, dataPath: dir + "/x.h5", outputDir: dir, start: .fresh)
        try run.run(maxEpochs: 1)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: run.lastPath))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: run.lastPath))
        #expect(throws: CheckpointError.self) {
            _ = try TrainingRun(config: Fixtures.tinyConfig(), dataset: data, dataPath: dir + "/x.h5", outputDir: dir, start: .resume)
        }
    }

    @Test func nanEpochKeepsTheLastGoodCheckpoint() throws {
        let dir = Fixtures.tempDir()
        let data = Fixtures.tinyDataset()
        let run = try TrainingRun(config: Fixtures.tinyConfig(), dataset: data, dataPath: dir + "/x.h5", outputDir: dir, start: .fresh)
        try run.run(maxEpochs: 1)
        let good = try CheckpointCodec.read(from: run.lastPath)
        run.trainer.network.store.value(run.trainer.network.readoutW)[0] = .infinity
        #expect(throws: TrainingError.self) { try run.run(maxEpochs: 1) }
        #expect(try CheckpointCodec.read(from: run.lastPath) == good)
        #expect(good.epoch == 1)
    }

    @Test func controllerOffModelTrainsWithoutControllerOutputs() throws {
        var c = Fixtures.tinyConfig()
        c.conDim = 0; c.coDim = 0; c.ciEncDim = 0
        let data = Fixtures.tinyDataset(ext: 0)
        let t = try Trainer(config: c, dataset: data)
        #expect(t.network.store.param(named: "con.whh") == nil)
        try t.train(epochs: 2)
        #expect(t.epoch == 2 && t.history.smoothedValid.value!.isFinite)
        let out = try t.posteriorOutputs(data.valid!, samples: 2)
        #expect(out.arrays["co_means"] == nil && out.arrays["factors"]!.shape == [6, 8, c.facDim])
    }
}
