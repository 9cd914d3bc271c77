import Coordination
import Foundation
import TestSupport
import Testing
@testable import Runtime

/// A stored run that can never work does not trap its user; a rejected new run leaves no store behind;
/// the final step is bounded in time.
@Suite struct PoisonedRunTests {
    func toyYAML(_ dir: String, name: String, extra: String = "") -> String {
        """
        name: \(name)
        objective: toy
        storage: \(dir)/storage
        population: 2
        epochs_per_generation: 1
        max_generations: 1
        stopping: {enabled: false}
        \(extra)
        """
    }

    @Test func aStoredConfigThatCanNeverWorkIsOneClearErrorAndStatusShowsIt() async throws {
        let dir = TestSupport.tempDir("poisoned")
        let path = dir + "/run.yaml"
        try toyYAML(dir, name: "poisoned").write(toFile: path, atomically: true, encoding: .utf8)
        let cfg = try RunConfig.load(path: path)
        // The store as a run created before the limits existed left it: population 1e9.
        var json = try JSONSerialization.jsonObject(with: Data(try JSONDocument(encoding: cfg).text.utf8)) as! [String: Any]
        json["population"] = 1_000_000_000
        let text = String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
        try cfg.createRunDirectory()
        let store = try await openCoordinationStore(cfg.store)
        _ = try await store.createRun(name: cfg.name, config: JSONDocument(text: text), now: Date())
        await store.close()
        let binary = try TestSupport.autolfadsBinary()
        for command in [["run", "--config", path, "--no-dashboard"], ["server", "--config", path, "--no-dashboard"]] {
            let r = try await LimitedRun(binary, command, seconds: 60)
            r.expectOneLineError(naming: ["run 'poisoned'", "stored config", "population: 1000000000", "--name", "mv '\(cfg.runDirectory)'"],
                                 case: command[0])
        }
        let status = try await LimitedRun(binary, ["status", "--config", path], seconds: 60)
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("problem: run 'poisoned': its stored config has population: 1000000000 is out of range"), "\(status.stdout)")
    }

    @Test func aNewRunRejectedByThePreflightCreatesNoStore() async throws {
        let dir = TestSupport.tempDir("preflight-first")
        let bad = dir + "/not-hdf5.h5"
        try "definitely not an HDF5 file".write(toFile: bad, atomically: true, encoding: .utf8)
        let path = dir + "/run.yaml"
        try """
            name: rejected
            objective: lfads
            storage: \(dir)/storage
            data: \(bad)
            population: 2
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try await LimitedRun(try TestSupport.autolfadsBinary(), ["run", "--config", path, "--no-dashboard"], seconds: 60)
        r.expectOneLineError(naming: [bad], case: "preflight")
        let runDir = dir + "/storage/runs/rejected"
        #expect(!FileManager.default.fileExists(atPath: runDir + "/coordination.db"), "the store was created before the data was checked")
        #expect(!FileManager.default.fileExists(atPath: runDir), "the run directory was created before the data was checked")
    }

    @Test func theFinalStepHasATimeoutAndItsFailureIsReportedAsBefore() async throws {
        let dir = TestSupport.tempDir("final-timeout")
        let path = dir + "/run.yaml"
        try toyYAML(dir, name: "slowfinal", extra: """
            toy: {posterior_seconds: 900}
            faults: {final_step_timeout: 1}
            """).write(toFile: path, atomically: true, encoding: .utf8)
        // A final step that was not stopped would take 900 s; the limit leaves the rest of the run (seconds,
        // a minute on a loaded machine) plenty of slack without a tight timing bound.
        let started = Date()
        let r = try await LimitedRun(try TestSupport.autolfadsBinary(), ["run", "--config", path, "--no-dashboard", "--slots", "2"], seconds: 600)
        #expect(r.status == 3 && !r.signalled && !r.timedOut, "\(r) \(r.stdout)")
        #expect(Date().timeIntervalSince(started) < 300, "the 900 s final step was not stopped")
        #expect(r.stdout.contains("the best model's outputs were NOT written") && r.stdout.contains("faults.final_step_timeout"), "\(r.stdout)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/storage/runs/slowfinal/best/toy_output.json"))
    }
}
