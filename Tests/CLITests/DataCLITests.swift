import Foundation
import Testing
import TestSupport

/// `autolfads data …` on small inputs: each synthetic kind, inspect, from-nwb; one error each.
@Suite struct DataCLITests {
    @Test func synthEveryKindThenInspect() async throws {
        let dir = try CLI.tempDir("synth")
        let small = ["--trials", "8", "--conditions", "2", "--neurons", "6", "--bins", "12"]
        for kind in ["lorenz", "chaotic-rnn", "emg", "calcium"] {
            let file = "\(dir)/\(kind).h5"
            let r = try await CLI.run(["data", "synth", kind, "--out", file, "--seed", "3"] + small)
            r.expectSuccess(firstLine: "wrote \(file): \(kind), seed 3, train ", "data synth \(kind)")
            #expect(FileManager.default.fileExists(atPath: file))
            let flags = kind == "emg" ? ["--continuous"] : kind == "calcium" ? ["--continuous", "--allow-missing"] : []
            let i = try await CLI.run(["data", "inspect", file] + flags)
            i.expectSuccess(firstLine: "file: \(file)", "data inspect \(kind)")
            #expect(i.stdout.contains("T_enc 12") && i.stdout.contains("N_enc 6"), "data inspect \(kind): \(i.stdout)")
        }
        let s = try await CLI.run(["data", "synth", "lorenz-sessions", "--sessions", "2", "--out-dir", dir + "/sessions"] + small)
        s.expectSuccess(firstLine: "wrote \(dir)/sessions/lorenz_session0.h5: ", "data synth lorenz-sessions")
        #expect(s.stdoutLines.count == 2 && s.stdout.contains("lorenz_session1.h5"), "\(s)")
    }

    @Test func synthErrors() async throws {
        let dir = try CLI.tempDir("synth-err")
        try await CLI.run(["data", "synth", "lorenz"]).expectError(["--out FILE"], "data synth lorenz without --out")
        try await CLI.run(["data", "synth", "lorenz", "--out", dir + "/x.h5", "--trials", "7", "--conditions", "2"])
            .expectError(["--trials 7", "--conditions 2"], "data synth lorenz with trials not a multiple of conditions")
        try await CLI.run(["data", "synth", "lorenz-sessions", "--sessions", "0", "--out-dir", dir])
            .expectError(["--sessions"], "data synth lorenz-sessions --sessions 0")
        try await CLI.run(["data", "synth", "nlb", "--out", dir + "/x.h5"]).expectError(["--out FILE.nwb"], "data synth nlb to .h5")
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.h5"), "a failed synth leaves no file")
    }

    @Test func inspectBundledDataAndErrors() async throws {
        let r = try await CLI.run(["data", "inspect", CLI.lorenzSmall])
        r.expectSuccess(firstLine: "file: \(CLI.lorenzSmall)", "data inspect lorenz_small.h5")
        #expect(r.stdout.contains("problems: none"), "\(r.stdout)")
        try await CLI.run(["data", "inspect", "/nonexistent/data.h5"]).expectError(["/nonexistent/data.h5"], "data inspect of a missing file")
        // A file that is not HDF5 at all.
        let dir = try CLI.tempDir("inspect")
        try "not hdf5".write(toFile: dir + "/text.h5", atomically: true, encoding: .utf8)
        try await CLI.run(["data", "inspect", dir + "/text.h5"]).expectError(["text.h5"], "data inspect of a text file")
    }

    @Test func nlbSynthThenFromNWB() async throws {
        let dir = try CLI.tempDir("nwb")
        let nwb = dir + "/rec.nwb", h5 = dir + "/rec.h5"
        let s = try await CLI.run(["data", "synth", "nlb", "--out", nwb, "--trials", "24", "--neurons", "8"])
        s.expectSuccess(firstLine: "wrote \(nwb): nlb (lorenz), seed 0, 24 trials", "data synth nlb")
        let i = try await CLI.run(["data", "inspect", nwb])
        #expect(i.status == 0, "data inspect of an NWB file: \(i)")
        let c = try await CLI.run(["data", "from-nwb", nwb, "--out", h5, "--bin-ms", "20", "--align", "move_onset_time",
                                   "--window", "-200:400", "--forward-bins", "2", "--behavior", "hand_vel"])
        #expect(c.status == 0 && FileManager.default.fileExists(atPath: h5), "data from-nwb: \(c)")
        let back = try await CLI.run(["data", "inspect", h5])
        back.expectSuccess(firstLine: "file: \(h5)", "data inspect of the converted file")
        #expect(back.stdout.contains("N_enc 6, N_recon 8"), "2 of 8 units are held out: \(back.stdout)")
        try await CLI.run(["data", "from-nwb", dir + "/missing.nwb", "--out", dir + "/m.h5"])
            .expectError(["missing.nwb"], "data from-nwb of a missing file")
        try await CLI.run(["data", "from-nwb", nwb, "--out", dir + "/b.h5", "--align", "no_such_column"])
            .expectError(["no_such_column"], "data from-nwb with an unknown alignment column")
    }
}
