import Foundation
import Testing
import PBT
@testable import Runtime

@Suite struct RunConfigTests {
    @Test func fullConfigParses() throws {
        let c = try RunConfig.parse(yaml: """
            name: nlb-maze
            data: data/mc_maze.h5
            storage: out
            objective: lfads
            seed: 7
            population: 20
            epochs_per_generation: 25
            ramp_epochs: 80
            max_generations: 30
            stopping: {enabled: true, patience: 4, min_change: 1.0e-3}
            pbt: {mode: async, minimize: true, exploit: truncation, exploit_fraction: 0.2, explore: resample, resample_probability: 0.5}
            search_space:
              lr_init: {min: 1e-5, max: 5e-3, init: 4e-3, weight: 0.3, limit: true}
              kl_co_scale: {min: 1e-6, max: 1e-4, init: log_uniform, weight: 0.8, limit: false, space: log}
              gen_dim: {values: [64, 100, 128]}
            model:
              gen_dim: 100
              train: {batch_size: 256, lr_stop: 1e-5}
            resources: {slots: 3, threads_per_slot: 2}
            faults: {heartbeat_interval: 2, heartbeat_timeout: 10, max_attempts: 4, client_idle_timeout: 60}
            """, baseDirectory: "/base")
        #expect(c.name == "nlb-maze")
        #expect(c.data == "/base/data/mc_maze.h5")
        #expect(c.storage == "/base/out")
        #expect(c.store == "sqlite:///base/out/runs/nlb-maze/coordination.db")
        #expect(c.epochs(forGeneration: 0) == 105 && c.epochs(forGeneration: 1) == 25)
        #expect(c.mode == .async && c.exploit == .truncation && c.explore == .resample)
        #expect(c.stopPatience == 4 && c.stopMinChange == 1e-3)
        #expect(c.searchSpace.map(\.name) == ["lr_init", "kl_co_scale", "gen_dim"])
        #expect(c.searchSpace[0].initMode == .fixed && c.searchSpace[0].initValue == 4e-3)
        #expect(c.searchSpace[1].initMode == .logUniform && c.searchSpace[1].space == .log && !c.searchSpace[1].limit)
        #expect(c.searchSpace[2].initMode == .choice && c.searchSpace[2].values == [64, 100, 128])
        #expect(c.model["train"]?["batch_size"] == .number(256))
        #expect(c.model["gen_dim"] == .number(100))
        #expect(c.slots == 3 && c.threadsPerSlot == 2 && c.maxAttempts == 4 && c.clientIdleTimeout == 60)
        #expect(c.threads(cores: 64, slots: 3) == 2, "a set threads_per_slot is used as it is")
    }

    /// `threads_per_slot: auto` (the default): the cores shared by the slots that can be busy at once.
    @Test func autoThreadsShareTheCoresAmongTheBusySlots() throws {
        let auto = try RunConfig.parse(yaml: "population: 20", baseDirectory: "/w")
        #expect(auto.threadsPerSlot == 0)
        #expect(auto.threads(cores: 64, slots: 64) == 3)     // 20 workers busy at most: ⌊64 / 20⌋
        #expect(auto.threads(cores: 64, slots: 8) == 8)      // 8 slots busy: ⌊64 / 8⌋
        #expect(auto.threads(cores: 2, slots: 2) == 1)
        let one = try RunConfig.parse(yaml: "population: 2\nresources: {threads_per_slot: auto}", baseDirectory: "/w")
        #expect(one.threads(cores: 16, slots: 16) == 8)
        let resolved = try one.resolvedYAML()
        #expect(resolved.contains("threads_per_slot: auto"), "the resolved YAML writes auto out: \(resolved)")
        #expect(try RunConfig.parse(yaml: resolved, baseDirectory: "/w").threadsPerSlot == 0, "auto round-trips through the resolved YAML")
        #expect(throws: ConfigError.self) { try RunConfig.parse(yaml: "resources: {threads_per_slot: many}", baseDirectory: "/w") }
        #expect(throws: ConfigError.self) { try RunConfig.parse(yaml: "resources: {threads_per_slot: -1}", baseDirectory: "/w") }
    }

    @Test func emptyConfigUsesDefaultsAndPresets() throws {
        let c = try RunConfig.parse(yaml: "", baseDirectory: "/w")
        #expect(c.objective == .lfads)
        #expect(c.searchSpace == SearchSpacePresets.lfads)
        // One definition: the run.yaml preset is PBT's NLB space, converted both ways without loss.
        #expect(c.pbtSearchSpace == SearchSpace.lfadsTorchNLB)
        #expect(c.searchSpace.first { $0.name == "cd_rate" } == HyperparameterConfig(name: "cd_rate", min: 0.01, max: 0.7, initMode: .fixed, initValue: 0.5))
        #expect(c.storage == "/w")
        let t = try RunConfig.parse(yaml: "objective: toy", baseDirectory: "/w")
        #expect(t.searchSpace.map(\.name) == ["h0", "h1"])
    }

    /// `data:` as a list = one file per session (stitching); paths resolve; an empty list is an error.
    @Test func dataListIsOneFilePerSession() throws {
        let c = try RunConfig.parse(yaml: "data: [s0.h5, /abs/s1.h5]\nmodel: {readin_dim: 8}", baseDirectory: "/w")
        #expect(c.data == "/w/s0.h5" && c.sessionData == ["/w/s0.h5", "/abs/s1.h5"])
        let back = try JSONDecoder().decode(RunConfig.self, from: JSONEncoder().encode(c))
        #expect(back == c)
        let one = try RunConfig.parse(yaml: "data: [s0.h5]", baseDirectory: "/w")
        #expect(one.data == "/w/s0.h5" && one.sessionData == nil)
        #expect(throws: ConfigError.self) { _ = try RunConfig.parse(yaml: "data: []", baseDirectory: "/w") }
    }

    @Test func generationZeroCoversTheModelsRampsByDefault() throws {
        #expect(try RunConfig.parse(yaml: "objective: lfads").rampEpochs == 50, "LFADS defaults ramp KL and L2 over 50 epochs")
        let m = try RunConfig.parse(yaml: "objective: lfads\nmodel: {kl_increase_epoch: 20, l2_increase_epoch: 10, l2_start_epoch: 15}")
        #expect(m.rampEpochs == 25)
        #expect(try RunConfig.parse(yaml: "objective: lfads\nramp_epochs: auto").rampEpochs == 50)
        #expect(try RunConfig.parse(yaml: "objective: lfads\nramp_epochs: 0").rampEpochs == 0)
        #expect(try RunConfig.parse(yaml: "objective: toy").rampEpochs == 0)
    }

    @Test func pbtMetricSetsTheDirection() throws {
        let d = try RunConfig.parse(yaml: "objective: toy")
        #expect(d.metric == .validReconSmth && d.minimize && d.pbtMetric == nil)
        let co = try RunConfig.parse(yaml: "objective: toy\npbt: {metric: valid_cobps}")
        #expect(co.metric == .validCobps && !co.minimize)
        let sv = try RunConfig.parse(yaml: "objective: toy\npbt: {metric: valid_sv_heldout, minimize: true}")
        #expect(sv.metric == .validSvHeldout && sv.minimize)
        // A run stored before pbt.metric existed still decodes, with the default metric.
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(d)) as! [String: Any]
        json.removeValue(forKey: "pbtMetric")
        let old = try JSONDecoder().decode(RunConfig.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.metric == .validReconSmth)
    }

    @Test func configRoundTripsThroughJSON() throws {
        let c = try RunConfig.parse(yaml: "objective: toy\nmodel: {a: [1, two, true]}\ntoy: {nan_workers: [2]}", baseDirectory: "/w")
        let back = try JSONDecoder().decode(RunConfig.self, from: JSONEncoder().encode(c))
        #expect(back == c)
        #expect(back.toy.nanWorkers == [2])
    }

    @Test(arguments: [
        ("populaton: 8", "populaton"),
        ("pbt: {mod: sync}", "pbt.mod"),
        ("search_space: {lr: {min: 0.1, max: 1, wieght: 2}}", "search_space.lr.wieght"),
        ("faults: {heartbeat: 3}", "faults.heartbeat"),
    ])
    func unknownKeysAreNamed(yaml: String, key: String) throws {
        let e = #expect(throws: ConfigError.self) { try RunConfig.parse(yaml: yaml) }
        #expect(e?.message.contains(key) == true, "\(e?.message ?? "")")
        #expect(e?.message.contains("unknown key") == true)
    }

    @Test(arguments: [
        ("population: 1", "population"),
        ("population: many", "population"),
        ("objective: magic", "objective"),
        ("pbt: {mode: sometimes}", "pbt.mode"),
        ("search_space: {lr: {min: 1, max: 0.5}}", "search_space.lr"),
        ("search_space: {lr: {min: 0, max: 1, init: log_uniform}}", "search_space.lr"),
        ("faults: {heartbeat_interval: 5, heartbeat_timeout: 2}", "faults.heartbeat_timeout"),
        ("store: mongodb://x", "store"),
        ("name: 'a b'", "name"),
        ("pbt: {metric: valid_bps}", "pbt.metric"),
        ("pbt: {metric: valid_cobps, minimize: true}", "pbt.minimize"),
        ("pbt: {minimize: false}", "pbt.minimize"),
        ("[1, 2]", "mapping"),
        ("a: [", "YAML"),
    ])
    func invalidSettingsAreRejected(yaml: String, key: String) throws {
        let e = #expect(throws: ConfigError.self) { try RunConfig.parse(yaml: yaml) }
        #expect(e?.message.contains(key) == true, "\(e?.message ?? "")")
    }

    @Test func loadResolvesPathsAgainstTheConfigFile() throws {
        let dir = TestSupport.tempDir("cfg")
        let path = (dir as NSString).appendingPathComponent("run.yaml")
        try "name: r1\nobjective: toy\nstorage: st\nstore: postgres://u@127.0.0.1:5432/db\n".write(toFile: path, atomically: true, encoding: .utf8)
        let c = try RunConfig.load(path: path)
        #expect(c.storage == (dir as NSString).appendingPathComponent("st"))
        #expect(c.store == "postgres://u@127.0.0.1:5432/db")
        let e = #expect(throws: ConfigError.self) { try RunConfig.load(path: dir + "/missing.yaml") }
        #expect(e?.message.contains("missing.yaml") == true)
    }
}

@Suite struct BundledDataTests {
    @Test func lfadsWithoutDataUsesTheBundledLorenzFile() throws {
        let dir = TestSupport.tempDir("data")
        var c = try RunConfig.parse(yaml: "storage: st", baseDirectory: dir)
        var lines: [String] = []
        try BundledData.resolve(&c, log: { lines.append($0) })
        let path = dir + "/st/data/lorenz.h5"
        #expect(c.data == path && lines.count == 1)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size > 100_000)
        var again = try RunConfig.parse(yaml: "storage: st", baseDirectory: dir)
        try BundledData.resolve(&again, log: { lines.append($0) })
        #expect(again.data == path && lines.count == 1)   // generated once
        var missing = try RunConfig.parse(yaml: "data: nope.h5", baseDirectory: dir)
        let e = #expect(throws: RuntimeError.self) { try BundledData.resolve(&missing, log: { _ in }) }
        #expect(e?.message.contains("nope.h5") == true)
        var toy = try RunConfig.parse(yaml: "objective: toy", baseDirectory: dir)
        try BundledData.resolve(&toy, log: { _ in })
        #expect(toy.data == nil)
    }

    @Test func runDirectoryThatCannotBeCreatedNamesTheSetting() throws {
        let file = NSTemporaryDirectory() + "autolfads-not-a-dir-\(getpid())"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let c = try RunConfig.parse(yaml: "name: r\nobjective: toy\nstorage: \(file)\n", baseDirectory: "/tmp")
        #expect { try c.createRunDirectory() } throws: { e in
            "\(e)".contains("cannot create the run directory \(file)/runs/r") && "\(e)".contains("`storage:`") && !"\(e)".contains("\n")
        }
    }
}

/// Deployment's view of a run (`RunConfig.location`) is the parsed config's: relative storage against the
/// config's directory, the default store inside the run directory, flag overrides winning.
@Test func runLocationIsTheParsedConfigs() throws {
    let dir = TestSupport.tempDir("run-location")
    let cfg = dir + "/run.yaml"
    try "name: toy1\nobjective: toy\nstorage: st\npopulation: 4\n".write(toFile: cfg, atomically: true, encoding: .utf8)
    let l = try RunConfig.load(path: cfg).location(configPath: cfg)
    #expect(l.name == "toy1" && l.storage == dir + "/st" && l.configPath == cfg)
    #expect(l.store == "sqlite://" + dir + "/st/runs/toy1/coordination.db")
    let o = try RunConfig.load(path: cfg, overrides: RunOverrides(storage: "/cwd/other", store: "postgres://u@h:1/db")).location(configPath: cfg)
    #expect(o.storage == "/cwd/other" && o.store == "postgres://u@h:1/db")
    try "objective: toy\n".write(toFile: cfg, atomically: true, encoding: .utf8)
    let d = try RunConfig.load(path: cfg).location(configPath: cfg)
    #expect(d.name == "toy" && d.storage == dir && d.runDirectory == dir + "/runs/toy")
}
