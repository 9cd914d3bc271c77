import Foundation
import Testing
import Yams
@testable import Runtime

/// Dotted `key=value` overrides of run.yaml keys and the resolved config written back as YAML.
@Suite struct RunOverrideTests {
    func parse(_ yaml: String, _ assignments: [String], objective: RunConfig.Objective? = nil) throws -> RunConfig {
        try RunConfig.parse(yaml: yaml, baseDirectory: "/tmp", overrides: RunOverrides(objective: objective, assignments: assignments))
    }

    @Test func overridesReachEveryKindOfKey() throws {
        let c = try parse("population: 4\npbt: {mode: sync, exploit: truncation}\nmodel: {fac_dim: 8}\n", [
            "population=16", "pbt.mode=async", "model.gen_dim=128", "search_space.lr_init.max=1e-2",
            "stopping.enabled=false", "name=ovr", "toy.nan_workers=[1, 2]", "model.ext_input_dim=0",
        ])
        #expect(c.population == 16 && c.mode == .async && c.exploit == .truncation && !c.stopEnabled && c.name == "ovr")
        #expect(c.model["gen_dim"]?.number == 128 && c.model["fac_dim"]?.number == 8)
        #expect(c.toy.nanWorkers == [1, 2])
        // A file without search_space: the preset, with just that field changed.
        let lr = try #require(c.searchSpace.first { $0.name == "lr_init" })
        #expect(lr.max == 1e-2 && lr.min == 1e-5 && lr.initValue == 4e-3)
        #expect(c.searchSpace.map(\.name) == SearchSpacePresets.lfads.map(\.name))
        // Later assignments win; an empty value restores the default.
        #expect(try parse("", ["population=3", "population=5"]).population == 5)
        #expect(try parse("population: 9", ["population="]).population == RunConfig().population)
    }

    @Test func unknownKeysGetCloseMatchesInOverridesAndFiles() throws {
        let e = #expect(throws: ConfigError.self) { try parse("pbt: {mode: sync}", ["pbt.mdoe=async"]) }
        #expect(e?.message.hasPrefix("override 'pbt.mdoe=async': pbt.mdoe: unknown key 'mdoe'; did you mean 'mode'?") == true, "\(e?.message ?? "")")
        let top = #expect(throws: ConfigError.self) { try parse("", ["popualtion=4"]) }
        #expect(top?.message.contains("did you mean 'population'?") == true, "\(top?.message ?? "")")
        let file = #expect(throws: ConfigError.self) { try parse("stopping: {patince: 3}", []) }
        #expect(file?.message.hasPrefix("stopping.patince: unknown key 'patince'; did you mean 'patience'?") == true, "\(file?.message ?? "")")
        // Type and range errors name the override too; errors of the file itself do not.
        let bad = #expect(throws: ConfigError.self) { try parse("", ["population=many"]) }
        #expect(bad?.message == "override 'population=many': population: expected a number")
        let range = #expect(throws: ConfigError.self) { try parse("", ["search_space.lr_init.min=1"]) }
        #expect(range?.message.hasPrefix("override 'search_space.lr_init.min=1': search_space.lr_init: min") == true, "\(range?.message ?? "")")
        #expect(throws: ConfigError("override 'population': expected key=value (e.g. population=16 or pbt.mode=async)")) { try parse("", ["population"]) }
        let scalar = #expect(throws: ConfigError.self) { try parse("pbt: sync", ["pbt.mode=async"]) }
        #expect(scalar?.message.contains("pbt is not a mapping") == true, "\(scalar?.message ?? "")")
    }

    @Test func fileErrorsStillNameTheFileAndOverrideErrorsDoNot() throws {
        let dir = TestSupport.tempDir("ovr-file")
        let path = dir + "/run.yaml"
        try "populaton: 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let e = #expect(throws: ConfigError.self) { try RunConfig.load(path: path) }
        #expect(e?.message.hasPrefix("\(path): populaton: unknown key") == true)
        try "population: 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let o = #expect(throws: ConfigError.self) { try RunConfig.load(path: path, overrides: RunOverrides(assignments: ["pbt.explroe=resample"])) }
        #expect(o?.message.hasPrefix("override 'pbt.explroe=resample': pbt.explroe: unknown key 'explroe'; did you mean 'explore', 'exploit'?") == true, "\(o?.message ?? "")")
    }

    @Test func resolvedYAMLParsesBackToTheSameConfig() throws {
        let configs = [
            try parse("", []),
            try parse("objective: toy\ntoy: {nan_workers: [1], epoch_seconds: 0.25}\npbt: {mode: grid, grid_points: 2}\npopulation: 8\n", []),
            try parse("data: [a.h5, b.h5]\nmodel: {gen_dim: 16, reconstruction: gamma, readin_dim: 8, note: '12', flag: 'true'}\npbt: {metric: valid_cobps}\n", []),
            try parse("search_space: {cd_rate: {values: [0.1, 0.3]}, lr_init: {min: 1.0e-5, max: 5.0e-3, init: 4.0e-3, space: log, weight: 0.9}}\n", []),
            // Optional keys: written only when set, and read back as set.
            try parse("objective: toy\ntoy: {posterior_seconds: 0.5}\nfaults: {final_step_timeout: 60}\nlogging: {tensorboard: false}\n", []),
        ]
        for c in configs {
            let text = try c.resolvedYAML()
            let back = try RunConfig.parse(yaml: text, baseDirectory: "/elsewhere")
            #expect(back == c, "\(text)")
            #expect(back.differences(from: c).isEmpty)
        }
        var other = configs[0]
        other.population = 3
        #expect(configs[0].differences(from: other) == ["population: stored 8, given 3"])
        // A run stored before a key existed (unset) does not differ from a config giving its default.
        let givesDefaults = try parse("final_ensemble: 10\npbt: {start_at_defaults: true}\nfaults: {final_step_timeout: 10800}\nlogging: {tensorboard: true}\n", [])
        #expect(configs[0].differences(from: givesDefaults).isEmpty, "\(configs[0].differences(from: givesDefaults))")
        #expect(configs[0].differences(from: try parse("final_ensemble: 3\n", [])) == ["final_ensemble: stored 10, given 3"])
    }
}
