import Foundation
import Testing
import TestSupport

/// `autolfads train` and `evaluate` on a training folder: a tiny model on the bundled data.
@Suite struct TrainCLITests {
    @Test func trainResumeEvaluate() async throws {
        let out = try CLI.tempDir("train") + "/fit"
        let r = try await CLI.run(["train", "--data", CLI.lorenzSmall, "--out", out, "--epochs", "2"] + CLI.tinyModel, seconds: 300)
        r.expectSuccess(firstLine: "model: enc ", "train")
        #expect(r.stdout.contains("after 2 epochs") && r.stdout.contains("wrote \(out)/lfads_output_lorenz_small.h5"), "\(r)")
        let more = try await CLI.run(["train", "--data", CLI.lorenzSmall, "--out", out, "--resume", "--epochs", "1", "--no-outputs"], seconds: 300)
        more.expectSuccess(firstLine: "model: enc ", "train --resume")
        #expect(more.stdout.contains("start epoch 2") && more.stdout.contains("after 3 epochs"), "\(more)")
        let e = try await CLI.run(["evaluate", out])
        e.expectSuccess(firstLine: "lfads_output_lorenz_small.h5: valid split", "evaluate a train --out folder")
        #expect(e.stdout.contains("rates vs truth R²") || e.stdout.contains("truth"), "\(e.stdout)")
        #expect(FileManager.default.fileExists(atPath: out + "/evaluation.json"))
    }

    @Test func trainErrors() async throws {
        let dir = try CLI.tempDir("train-err")
        try await CLI.run(["train", "--data", CLI.lorenzSmall, "--out", dir + "/a", "gen_dimm=8"])
            .expectError(["gen_dimm", "gen_dim"], "train with a misspelt key")
        try await CLI.run(["train", "--data", dir + "/missing.h5", "--out", dir + "/b"])
            .expectError(["missing.h5"], "train on a missing file")
        try await CLI.run(["train", "--data", CLI.lorenzSmall, "--out", dir + "/c", "--epochs=-1"])
            .expectError(["--epochs: -1 is out of range"], "train --epochs=-1")
        #expect(!FileManager.default.fileExists(atPath: dir + "/a") && !FileManager.default.fileExists(atPath: dir + "/b"),
                "a rejected train creates no output folder")
        try await CLI.run(["evaluate", dir + "/nothing"]).expectError(["nothing", "not found"], "evaluate a missing path")
        try await CLI.run(["evaluate", dir]).expectError(["no lfads_output_"], "evaluate a folder without outputs")
    }
}
