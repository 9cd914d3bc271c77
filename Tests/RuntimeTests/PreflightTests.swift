import Foundation
import Testing
import Coordination
import LFADSModel
@testable import Runtime

/// A run whose model, search space or data cannot work fails at start with one error naming the key,
/// before any worker is started.
@Suite struct PreflightTests {
    static let lorenz = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../data/lorenz_small.h5").standardizedFileURL.path

    func config(_ extra: String, data: String = "data: \(lorenz)") throws -> RunConfig {
        try RunConfig.parse(yaml: "name: pre\nobjective: lfads\n\(data)\n" + extra, baseDirectory: "/tmp")
    }

    func failure(_ c: RunConfig) -> String? {
        do { try RunPreflight.check(c); return nil } catch { return "\(error)" }
    }

    @Test func aGoodConfigPasses() throws {
        #expect(failure(try config("model: {gen_dim: 16, fac_dim: 4}")) == nil)
        // Lists reach the model as lists: per-session dims of a two-session (stitched) run.
        let two = "data: [\(Self.lorenz), \(Self.lorenz)]"
        #expect(failure(try config("model: {readin_dim: 20, session_encod_dims: [60, 60], session_recon_dims: [60, 60]}", data: two)) == nil)
        let wrong = try #require(failure(try config("model: {readin_dim: 20, session_encod_dims: [60, 50], session_recon_dims: [60, 50]}", data: two)))
        #expect(wrong.contains("session_encod_dims") && wrong.contains("[60, 60]"), "\(wrong)")
    }

    @Test func badModelValueIsNamed() throws {
        let e = try #require(failure(try config("model: {gen_dim: abc}")))
        #expect(e.contains("model.gen_dim") && e.contains("integer"), "\(e)")
        let typo = try #require(failure(try config("model: {gen_dims: 16}")))
        #expect(typo.contains("gen_dims") && typo.contains("gen_dim"), "suggests the close match: \(typo)")
        // Typed values, no detour through text: a count must be whole; on/off is true/false (or 1/0).
        let half = try #require(failure(try config("model: {gen_dim: 16.5}")))
        #expect(half.contains("model.gen_dim") && half.contains("integer"), "\(half)")
        let onOff = try #require(failure(try config("model: {readout_bias_from_data: 2}")))
        #expect(onOff.contains("model.readout_bias_from_data") && onOff.contains("true/false"), "\(onOff)")
        let nested = try #require(failure(try config("model: {gen_dim: {a: 1}}")))
        #expect(nested.contains("model.gen_dim"), "\(nested)")
        #expect(failure(try config("model: {gen_dim: 16, fac_dim: 4, readout_bias_from_data: false}")) == nil)
        #expect(failure(try config("model: {gen_dim: 16, fac_dim: 4, readout_bias_from_data: 0}")) == nil)
        let c = try LFADSObjective.modelConfig(try config("model: {gen_dim: 16, readout_bias_from_data: false, lr_init: 1e-3}"))
        #expect(c.genDim == 16 && !c.readoutBiasFromData && c.lrInit == 1e-3)
    }

    @Test func modelThatDoesNotFitTheDataIsNamed() throws {
        let e = try #require(failure(try config("model: {encod_data_dim: 7}")))
        #expect(e.contains("encod_data_dim") && e.contains("60"), "\(e)")
        let ctrl = try #require(failure(try config("model: {con_dim: 0}")))
        #expect(ctrl.contains("con_dim"), "controller dims must agree: \(ctrl)")
    }

    @Test func searchSpaceOutsideTheModelsRangeIsNamed() throws {
        let e = try #require(failure(try config("search_space:\n  dropout_rate: {min: 0.1, max: 1.5}\n")))
        #expect(e.contains("dropout_rate") && e.contains("1.5"), "\(e)")
        let unknown = try #require(failure(try config("search_space:\n  frobnicate: {min: 0.1, max: 0.5}\n")))
        #expect(unknown.contains("search_space.frobnicate"), "\(unknown)")
    }

    @Test func integerHyperparametersAreRounded() throws {
        // PBT perturbs gen_dim to e.g. 57.3; the model gets 57 (it rejected non-integers before).
        let c = try config("search_space:\n  gen_dim: {min: 32, max: 128}\n")
        #expect(failure(c) == nil)
        let job = RunPreflight.job(c, hps: ["gen_dim": 57.3, "lr_init": 0.0031])
        let model = try LFADSObjective.config(for: job)
        #expect(model.genDim == 57 && abs(model.lrInit - 0.0031) < 1e-12)
    }

    @Test func aFixedUnexploredValueIsTheOnlyOneChecked() throws {
        // Leftover min/max outside the model's range do not matter when PBT never leaves the fixed value.
        #expect(failure(try config("search_space:\n  dropout_rate: {min: 0.1, max: 1.5, init: 0.2, explore: false}\n")) == nil)
        #expect(failure(try config("search_space:\n  dropout_rate: {min: 0.1, max: 1.5, init: 0.2}\n")) != nil, "explored: the range counts")
    }

    @Test func pbtMetricMustFitTheData() throws {
        // lorenz_small.h5 has no held-out neurons: co-bps cannot be computed.
        let co = try #require(failure(try config("pbt: {metric: valid_cobps}")))
        #expect(co.contains("pbt.metric valid_cobps") && co.contains("held-out"), "\(co)")
        let sv = try #require(failure(try config("pbt: {metric: valid_sv_heldout}")))
        #expect(sv.contains("sv_rate"), "\(sv)")
        #expect(failure(try config("pbt: {metric: valid_sv_heldout}\nmodel: {sv_rate: 0.1}")) == nil)
    }

    @Test func toyRunsNeedNoModelCheck() throws {
        let c = try RunConfig.parse(yaml: "name: toy\nobjective: toy\nmodel: {gen_dim: abc}\n", baseDirectory: "/tmp")
        #expect(failure(c) == nil)
    }

    /// The real command: non-zero exit, the error on one line, and no run created in the store.
    @Test func runCommandStopsBeforeCreatingTheRun() async throws {
        let h = try ClusterHarness(label: "preflight", yaml: "population: 2\nmax_generations: 1\nmodel: {gen_dim: abc}\n",
                                   objective: "lfads")
        let p = try h.start(["run", "--config", h.configPath, "--no-dashboard"], log: "run.log")
        #expect(await h.exit(of: p, timeout: 60) == .exited(1))
        let out = try String(contentsOfFile: h.dir + "/run.log", encoding: .utf8)
        let errors = out.split(separator: "\n").filter { $0.lowercased().hasPrefix("error") }
        #expect(errors.count == 1 && errors[0].contains("model.gen_dim"), "\(out)")
        let store = try await h.openStore()
        #expect(try await store.run(named: h.config.name) == nil)
        #expect(!FileManager.default.fileExists(atPath: h.config.runDirectory + "/workers"))
        await store.close()
    }
}
