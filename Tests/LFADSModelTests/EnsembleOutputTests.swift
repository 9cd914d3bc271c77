import Foundation
import LFADSData
import Testing
import TestSupport
@testable import LFADSModel

/// The final step's rates ensemble (`Trainer.writeEnsemblePosteriorOutputs`), read back from the file.
@Suite struct EnsembleOutputTests {
    /// Two checkpoints of one tiny model, one epoch apart (different weights).
    static func twoCheckpoints(_ dir: String) throws -> (data: LFADSDataset, dataPath: String, a: String, b: String) {
        let dataPath = dir + "/tiny.h5"
        try LFADSWriter.write(Fixtures.tinyDataset(), to: dataPath)
        let data = try LFADSReader.read(dataPath)
        let trainer = try Trainer(config: Fixtures.tinyConfig(), dataset: data)
        try trainer.train(epochs: 1)
        try trainer.saveCheckpoint(to: dir + "/a.bin")
        try trainer.train(epochs: 1)
        try trainer.saveCheckpoint(to: dir + "/b.bin")
        return (data, dataPath, dir + "/a.bin", dir + "/b.bin")
    }

    /// The posterior outputs of one checkpoint, sampled as the output file samples the valid split.
    static func posterior(_ checkpoint: String, _ data: LFADSDataset) throws -> PosteriorSplitOutputs {
        let t = try Trainer(config: Fixtures.tinyConfig(), dataset: data)
        try t.loadCheckpoint(checkpoint, overridingHPs: true)
        return try t.posteriorOutputs(data.valid!, samples: 3, seedStream: 1)
    }

    @Test func ratesAreTheMeanOfTheMembersAndTheRestIsTheFirstModels() throws {
        let dir = Fixtures.tempDir()
        let (data, dataPath, a, b) = try Self.twoCheckpoints(dir)
        // A member that loads but whose rates are NaN (a readout bias of NaN) is left out too.
        let poisoned = try Trainer(config: Fixtures.tinyConfig(), dataset: data)
        try poisoned.loadCheckpoint(b, overridingHPs: true)
        poisoned.network.store.value(poisoned.network.readoutB)[0] = .nan
        try poisoned.saveCheckpoint(to: dir + "/nan.bin")
        let trainer = try Trainer(config: Fixtures.tinyConfig(), dataset: data)
        var said: [String] = []
        let path = try trainer.writeEnsemblePosteriorOutputs(checkpoints: [a, dir + "/missing.bin", dir + "/nan.bin", b], datasets: [data],
                                                             inputPaths: [dataPath], outputDir: dir, samples: 3,
                                                             log: { said.append($0) })[0]
        let file = try HDF5File(path: path, mode: .readOnly)
        defer { file.close() }
        let pa = try Self.posterior(a, data), pb = try Self.posterior(b, data)
        let rates = try file.readFloats("valid_output_params").values
        let ra = pa.arrays["output_params"]!.values, rb = pb.arrays["output_params"]!.values
        #expect(ra != rb, "the two checkpoints must differ for the test to mean anything")
        var worst: Float = 0
        for i in rates.indices { worst = max(worst, abs(rates[i] - (ra[i] + rb[i]) / 2) / max(1e-6, abs(ra[i] + rb[i]) / 2)) }
        #expect(worst < 1e-5, "rates differ from the members' mean by \(worst) (relative)")
        #expect(try file.readFloats("valid_factors").values == pa.arrays["factors"]!.values)
        #expect(try file.readFloats("valid_ic_mean").values == pa.arrays["ic_mean"]!.values)
        let attribute = try file.readStringAttribute("rates_ensemble")
        #expect(attribute.hasPrefix("mean posterior rates of 2 model(s): ") && attribute.contains("a.bin") && attribute.contains("b.bin"),
                "\(attribute)")
        #expect(said.count == 3 && said[0].contains("missing.bin") && said[1].contains("nan.bin") && said[1].contains("not all finite")
                && said[2] == "rates ensemble: mean posterior rates of 2 of 4 model(s)", "\(said)")
        #expect(!attribute.contains("nan.bin"))
        // Ends holding the first model: its own posterior equals the file's factors.
        #expect(try trainer.posteriorOutputs(data.valid!, samples: 3, seedStream: 1).arrays["factors"]!.values == pa.arrays["factors"]!.values)
    }

    @Test func anEnsembleOfOneIsTheModelsOwnOutput() throws {
        let dir = Fixtures.tempDir()
        let (data, dataPath, a, _) = try Self.twoCheckpoints(dir)
        let trainer = try Trainer(config: Fixtures.tinyConfig(), dataset: data)
        let path = try trainer.writeEnsemblePosteriorOutputs(checkpoints: [a], datasets: [data], inputPaths: [dataPath],
                                                             outputDir: dir, samples: 3)[0]
        let file = try HDF5File(path: path, mode: .readOnly)
        defer { file.close() }
        #expect(try file.readFloats("valid_output_params").values == (try Self.posterior(a, data)).arrays["output_params"]!.values)
        #expect(try file.readStringAttribute("rates_ensemble").hasPrefix("mean posterior rates of 1 model(s)"))
    }
}
