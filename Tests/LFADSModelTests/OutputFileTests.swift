import Foundation
import LFADSData
import Testing
import TestSupport
@testable import LFADSModel

/// Reads the output file with h5py (independent of our HDF5 code): the input is copied
/// verbatim and every output array has the shape and values the trainer computed.
@Suite struct OutputFileTests {
    struct Entry: Decodable { let shape: [Int]; let sum: Double; let min: Double }

    @Test func h5pyReadsOutputsMatchingTheTrainer() async throws {
        let dir = Fixtures.tempDir()
        let dataPath = dir + "/tiny.h5"
        try LFADSWriter.write(Fixtures.tinyDataset(), to: dataPath)
        let data = try LFADSReader.read(dataPath)
        let trainer = try Trainer(config: Fixtures.tinyConfig(), dataset: data)
        try trainer.train(epochs: 1)
        let path = try trainer.writePosteriorOutputs(dataset: data, inputPath: dataPath, outputDir: dir, samples: 3)
        guard let json = try await runPython(["check_outputs.py", dataPath, path]) else { return }
        let entries = try JSONDecoder().decode([String: Entry].self, from: Data(json.utf8))
        let expected = try trainer.posteriorOutputs(data.valid!, samples: 3, seedStream: 1)
        for (name, array) in expected.arrays {
            let e = try #require(entries["valid_\(name)"], "valid_\(name) missing")
            #expect(e.shape == array.shape)
            let sum = array.values.reduce(0.0) { $0 + Double($1) }
            #expect(abs(e.sum - sum) <= 1e-4 * max(1, abs(sum)), "valid_\(name): h5py sum \(e.sum) vs \(sum)")
        }
        #expect(entries["train_output_params"]!.min > 0)
        #expect(entries["train_inds"]?.shape == [12])
    }

    /// Runs a script beside this file with python3; records a failure (never a silent pass)
    /// when python3 or h5py is missing.
    func runPython(_ args: [String]) async throws -> String? {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
        guard let python = TestProcess.onPath("python3") else {
            Issue.record("python3 is not on PATH; run scripts/deps --test")
            return nil
        }
        let r = try await TestProcess.run(python, [dir + "/" + args[0]] + args.dropFirst(), seconds: 300)
        guard r.status == 0 else {
            Issue.record("\(args[0]) failed (run scripts/deps --test if h5py is missing): \(r)")
            return nil
        }
        return r.stdout
    }
}
