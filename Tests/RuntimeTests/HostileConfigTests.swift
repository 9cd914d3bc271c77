import Foundation
import TestSupport
import Testing
@testable import LFADSModel
@testable import Runtime
import Coordination
import YAMLInput
import FileSystem

/// Hostile configs and checkpoints (issue 12): absurd numbers, YAML alias bombs and deep nesting,
/// non-ASCII run names, crafted checkpoints with a recomputed checksum. The built `autolfads` runs on
/// each under a wall-time and an address-space limit and must exit 1 or 2 with one stderr line naming
/// the file or key, never a signal, never a modified input, never a partial output. Then a seeded
/// fuzz pass sends mutated configs and checkpoints through the parsers in-process: errors only.
@Suite struct HostileConfigTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let dataFile = repoRoot + "/data/lorenz_small.h5"

    /// Two aliases per level, 32 levels: 64 aliases that expand to 2^32 values.
    static let binaryBomb: String = {
        var lines = ["model:", "  l0: &l0 [x, x]"]
        for i in 1...32 { lines.append("  l\(i): &l\(i) [*l\(i - 1), *l\(i - 1)]") }
        return lines.joined(separator: "\n") + "\n"
    }()
    /// The classic "billion laughs": 9 aliases per level.
    static let laughs: String = {
        var lines = ["model:", "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        var previous = "a"
        for c in "bcdefghi" {
            lines.append("  \(c): &\(c) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
            previous = String(c)
        }
        return lines.joined(separator: "\n") + "\n"
    }()
    static let deepBlock: String = (0..<200).map { String(repeating: "  ", count: $0) + "a:" }.joined(separator: "\n") + " 1\n"

    static let runConfigCases: [(String, String, String)] = [
        ("generations_times_epochs", "max_generations: 1e14\nepochs_per_generation: 1e14\n", "epochs_per_generation"),
        ("generations_product", "max_generations: 100000\nepochs_per_generation: 1000\n", "max_generations × epochs_per_generation"),
        ("population_huge", "population: 1e9\n", "population"),
        ("population_negative", "population: -4\n", "population"),
        ("posterior_huge", "posterior_samples: 1e8\n", "posterior_samples"),
        ("posterior_negative", "posterior_samples: -5\n", "posterior_samples"),
        ("ensemble_zero", "final_ensemble: 0\n", "final_ensemble"),
        ("ensemble_huge", "final_ensemble: 1e6\n", "final_ensemble"),
        ("ramp_negative", "ramp_epochs: -1\n", "ramp_epochs"),
        ("slots_huge", "resources: {slots: 1000000}\n", "resources.slots"),
        ("threads_zero", "resources: {threads_per_slot: 0}\n", "resources.threads_per_slot"),
        ("attempts_huge", "faults: {max_attempts: 1e9}\n", "faults.max_attempts"),
        ("heartbeat_huge", "faults: {heartbeat_interval: 1e300, heartbeat_timeout: 1e301}\n", "faults.heartbeat_interval"),
        ("patience_huge", "stopping: {patience: 1e12}\n", "stopping.patience"),
        ("toy_worker_negative", "toy: {nan_workers: [-1]}\n", "toy.nan_workers"),
        ("seed_fraction", "seed: 1.5\n", "seed"),
        ("values_too_many", "search_space: {lr_init: {values: [" + (1...10_001).map(String.init).joined(separator: ", ") + "]}}\n", "values"),
        ("name_accented", "name: rün\n", "name"),
        ("name_cjk", "name: 実験\n", "name"),
        ("name_long", "name: " + String(repeating: "a", count: 200) + "\n", "name"),
        ("alias_bomb_binary", binaryBomb, "expands"),
        ("alias_bomb_laughs", laughs, "aliases"),
        ("nested_brackets", "model: " + String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000) + "\n", "nests"),
        ("nested_braces", "model: " + String(repeating: "{a: ", count: 100_000) + "1" + String(repeating: "}", count: 100_000) + "\n", "nests"),
        ("nested_block", "model:\n" + deepBlock.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n", "nests"),
        ("nested_dashes", "toy:\n  nan_workers:\n    " + String(repeating: "- ", count: 200) + "1\n", "nests"),
        ("oversize", String(repeating: "# padding padding padding padding padding padding padding padding\n", count: 40_000), "bytes"),
        ("not_yaml", "a: [\n", "YAML"),
    ]

    @Test func hostileRunConfigsFailWithOneLineErrorThroughTheCLI() async throws {
        let binary = try TestSupport.autolfadsBinary()
        let dir = TestSupport.tempDir("hostile-cfg")
        for (name, body, key) in Self.runConfigCases {
            let path = "\(dir)/\(name).yaml", storage = "\(dir)/storage-\(name)"
            let text = "objective: toy\nstorage: \(storage)\n" + (body.hasPrefix("name:") ? "" : "name: hostile\n") + body
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let r = try await LimitedRun(binary, ["run", "--config", path, "--no-dashboard"])
            r.expectOneLineError(naming: [key], case: name)
            #expect(!FileManager.default.fileExists(atPath: storage), "\(name): a run was created in \(storage)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "\(name): the config was modified")
        }
    }

    @Test func hostileModelSettingsFailWithOneLineErrorThroughTheCLI() async throws {
        let binary = try TestSupport.autolfadsBinary()
        let dir = TestSupport.tempDir("hostile-model")
        try String(Self.binaryBomb.replacingOccurrences(of: "model:\n", with: "").replacingOccurrences(of: "\n  ", with: "\n").dropFirst(2))
            .write(toFile: "\(dir)/bomb.yaml", atomically: true, encoding: .utf8)
        try ("gen_dim: " + String(repeating: "[", count: 200_000) + "\n").write(toFile: "\(dir)/deep.yaml", atomically: true, encoding: .utf8)
        let cases: [(String, [String], String)] = [
            ("epochs_negative", ["--epochs=-5"], "--epochs"),
            ("epochs_huge", ["--epochs=100000000000"], "--epochs"),
            ("posterior_huge", ["posterior_samples=1e8"], "posterior_samples"),
            ("posterior_negative", ["posterior_samples=-5"], "posterior_samples"),
            ("gen_dim_huge", ["gen_dim=1e8"], "gen_dim"),
            ("batch_zero", ["batch_size=0"], "batch_size"),
            ("max_epochs_huge", ["max_epochs=1e12"], "max_epochs"),
            ("seed_negative", ["seed=-1"], "seed"),
            ("lr_huge", ["lr_init=1e300"], "lr_init"),
            ("session_dims_huge", ["session_encod_dims=[5,100000000]", "session_recon_dims=[5,100000000]", "readin_dim=4"], "session_encod_dims"),
            ("model_alias_bomb", ["--config", "\(dir)/bomb.yaml"], "expands"),
            ("model_deep", ["--config", "\(dir)/deep.yaml"], "nests"),
        ]
        for (name, extra, key) in cases {
            let out = "\(dir)/out-\(name)"
            let r = try await LimitedRun(binary, ["train", "--data", Self.dataFile, "--out", out, "--no-outputs"] + extra)
            r.expectOneLineError(naming: [key], case: name)
            #expect(!FileManager.default.fileExists(atPath: out), "\(name): train left \(out) behind")
        }
    }

    // MARK: checkpoints

    static func sampleCheckpoint(config: LFADSConfig = LFADSConfig(), history: TrainingHistory? = nil) -> Checkpoint {
        let n = 64
        return Checkpoint(config: config, parameters: (0..<n).map { Float($0) / 64 }, adamM: [Float](repeating: 0.01, count: n),
                          adamV: [Float](repeating: 0.001, count: n), adamStep: 40, epoch: 3, rngStates: Array(1...8),
                          history: history ?? TrainingHistory(config: config))
    }

    /// Rewrites the container header (length and CRC-64) for the sections after it, as an attacker would.
    static func resum(_ bytes: inout [UInt8]) {
        bytes = [UInt8](ChecksummedFile.encode(Data(bytes[h...])))
    }

    /// A container's sections followed by the old format's own checksum of them (files from before the container).
    static func legacyForm(_ container: [UInt8]) -> [UInt8] {
        var b = Array(container[h...])
        let sum = CheckpointCodec.legacyChecksum(b[...])
        for i in 0..<8 { b.append(UInt8(truncatingIfNeeded: sum >> (8 * UInt64(i)))) }
        return b
    }

    /// The container header's size: the trainer's sections start there.
    static let h = ChecksummedFile.headerSize

    static func put(_ value: UInt64, at offset: Int, in bytes: inout [UInt8]) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    /// Crafted checkpoints (checksum recomputed) and the words their error must contain.
    static func craftedCheckpoints() throws -> [(String, [UInt8], String)] {
        let valid = try CheckpointCodec.encode(sampleCheckpoint())
        let configLength = Int(valid[h + 16]) | Int(valid[h + 17]) << 8 | Int(valid[h + 18]) << 16
        let stepAt = h + 64 + configLength + 3 * 4 * 64, epochAt = stepAt + 8
        func patched(_ offset: Int, _ value: UInt64) -> [UInt8] {
            var b = valid
            put(value, at: offset, in: &b)
            resum(&b)
            return b
        }
        var bigConfig = LFADSConfig()
        bigConfig.genDim = 100_000_000
        let encoder = JSONEncoder(), decoder = JSONDecoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let history = try encoder.encode(TrainingHistory(config: LFADSConfig()))
        let hostileHistory = String(decoding: history, as: UTF8.self).replacingOccurrences(of: "\"badEpochs\":0", with: "\"badEpochs\":9223372036854775807")
        #expect(hostileHistory.contains("9223372036854775807"))
        let badHistory = try decoder.decode(TrainingHistory.self, from: Data(hostileHistory.utf8))
        return [
            ("epoch_max", patched(epochAt, .max), "epoch"),
            ("step_max", patched(stepAt, .max), "Adam step"),
            ("config_length_max", patched(h + 16, .max), "config JSON"),
            ("parameters_length_huge", patched(h + 24, 1 << 62), "parameters"),
            ("adam_length_mismatch", patched(h + 32, 1), "section lengths"),
            ("rng_length_huge", patched(h + 48, 1 << 61), "RNG states"),
            ("history_length_huge", patched(h + 56, 1 << 40), "history JSON"),
            ("config_gen_dim_huge", try CheckpointCodec.encode(sampleCheckpoint(config: bigConfig)), "gen_dim"),
            ("history_counter_max", try CheckpointCodec.encode(sampleCheckpoint(history: badHistory)), "badEpochs"),
            ("config_json_deep", replacingConfigJSON(valid, with: Array(repeating: UInt8(ascii: "["), count: 1 << 20)), "unreadable section"),
        ]
    }

    /// `valid` with its config JSON section replaced by `json` (lengths and checksum made consistent).
    static func replacingConfigJSON(_ valid: [UInt8], with json: [UInt8]) -> [UInt8] {
        let old = Int(valid[h + 16]) | Int(valid[h + 17]) << 8 | Int(valid[h + 18]) << 16
        var b = Array(valid[0..<(h + 64)]) + json + Array(valid[(h + 64 + old)...])
        put(UInt64(json.count), at: h + 16, in: &b)
        resum(&b)
        return b
    }

    @Test func craftedCheckpointsAreRejectedInProcessAndThroughTheCLI() async throws {
        let crafted = try Self.craftedCheckpoints()
        for (name, bytes, key) in crafted {
            let e = #expect(throws: CheckpointError.self, "\(name)") { _ = try CheckpointCodec.decode(bytes, path: name) }
            #expect(e.map { "\($0)".contains(key) } == true, "\(name): \(e.map { "\($0)" } ?? "")")
            // The same sections in the format from before the container (own trailing checksum, recomputed).
            let legacy = Self.legacyForm(bytes)
            let l = #expect(throws: CheckpointError.self, "\(name) (old format)") { _ = try CheckpointCodec.decode(legacy, path: name) }
            #expect(l.map { "\($0)".contains(key) } == true, "\(name) (old format): \(l.map { "\($0)" } ?? "")")
        }
        let binary = try TestSupport.autolfadsBinary()
        let dir = TestSupport.tempDir("hostile-ckpt")
        for (name, bytes, key) in crafted {
            let out = "\(dir)/\(name)", ckpt = out + "/checkpoint_last.ckpt"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: ckpt))
            let r = try await LimitedRun(binary, ["train", "--data", Self.dataFile, "--out", out, "--resume", "--no-outputs"])
            r.expectOneLineError(naming: [ckpt, key], case: name)
            #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["checkpoint_last.ckpt"], "\(name): partial output left in \(out)")
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: ckpt))) == bytes, "\(name): the checkpoint was modified")

            let initFrom = "\(dir)/\(name)-init-out"
            let r2 = try await LimitedRun(binary, ["train", "--data", Self.dataFile, "--out", initFrom, "--init-from", ckpt, "--no-outputs"])
            r2.expectOneLineError(naming: [ckpt, key], case: name + " (--init-from)")
            #expect(!FileManager.default.fileExists(atPath: initFrom), "\(name): --init-from left \(initFrom) behind")
        }
    }

    @Test func craftedToyCheckpointsAreRejected() throws {
        let dir = TestSupport.tempDir("hostile-toy")
        for (name, json) in [("epochs_max", #"{"theta":[0.5],"epochs":9223372036854775807}"#),
                             ("epochs_negative", #"{"theta":[0.5],"epochs":-1}"#),
                             ("theta_empty", #"{"theta":[],"epochs":1}"#),
                             ("theta_huge_value", #"{"theta":[1e308, 1e309],"epochs":1}"#)] {
            let path = "\(dir)/\(name).ckpt"
            try CheckpointFile.write(Data(json.utf8), to: URL(fileURLWithPath: path))
            #expect(throws: RuntimeError.self, "\(name)") { _ = try ToyCheckpoint.read(path) }
        }
        let ok = "\(dir)/ok.ckpt"
        try ToyCheckpoint.write(ToyState(theta: [0.5, 0.25], epochs: 12), to: ok)
        #expect(try ToyCheckpoint.read(ok) == ToyState(theta: [0.5, 0.25], epochs: 12))
    }

    // MARK: the raw-text YAML limits

    @Test func yamlLimitsAcceptRealConfigsAndRefuseBombs() throws {
        let real = """
            name: ok   # a comment with [[[[ and {{{{ and *stars and &amps
            storage: "/tmp/x [weird] # not a comment"
            store: 'sqlite:///tmp/it''s.db'
            search_space:
              lr_init: &range {min: 1.0e-5, max: 5.0e-3, init: 4.0e-3}
              kl_co_scale: *range
            notes: |
              [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[
                                  "unclosed quote
            model: {gen_dim: 64, fac_dim: [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}

            """
        #expect(YAMLInputLimits.problem(in: real) == nil)
        let quickstart = try String(contentsOfFile: Self.repoRoot + "/configs/quickstart.yaml", encoding: .utf8)
        #expect(YAMLInputLimits.problem(in: quickstart) == nil)
        #expect(YAMLInputLimits.problem(in: String(repeating: "[", count: 60) + String(repeating: "]", count: 60)) == nil)
        #expect(YAMLInputLimits.problem(in: String(repeating: "[", count: 65))?.contains("nests") == true)
        // A quote that YAML reads as part of a plain scalar must not hide the brackets after it.
        #expect(YAMLInputLimits.problem(in: "a: x \"\nb: " + String(repeating: "[", count: 100))?.contains("nests") == true)
        #expect(YAMLInputLimits.problem(in: "a: |\n  \"\nb: " + String(repeating: "[", count: 100))?.contains("nests") == true)
        #expect(YAMLInputLimits.problem(in: "- a: |\n  b: " + String(repeating: "[", count: 100))?.contains("nests") == true)
        #expect(YAMLInputLimits.problem(in: Self.deepBlock)?.contains("nests") == true)
        #expect(YAMLInputLimits.problem(in: Self.laughs)?.contains("aliases") == true)
        #expect(YAMLInputLimits.problem(in: Self.binaryBomb) == nil)   // 64 aliases pass the text scan…
        let start = Date()
        let e = #expect(throws: Runtime.ConfigError.self) { _ = try RunConfig.parse(yaml: Self.binaryBomb) }
        #expect(e?.message.contains("expands") == true, "\(e?.message ?? "")")   // …and the expansion budget stops them
        #expect(Date().timeIntervalSince(start) < 30)   // bounded (an unchecked expansion would not end), slack for load
    }

    // MARK: fuzzing

    /// 300 seeded mutations of a valid run config, 300 of a model config and 300 crafted
    /// checkpoints (mutated bytes, checksum recomputed), through the parsers in-process.
    @Test func fuzzedConfigsAndCheckpointsOnlyEverThrow() throws {
        let run = """
            name: fuzz
            objective: toy
            storage: /tmp/autolfads-fuzz-never-created
            population: 4
            epochs_per_generation: 10
            max_generations: 6
            posterior_samples: 20
            stopping: {enabled: true, patience: 4, min_change: 5.0e-4}
            pbt: {mode: sync, exploit: tournament, explore: perturb}
            search_space:
              lr_init:     {min: 1.0e-5, max: 5.0e-3, init: 4.0e-3, weight: 0.3, limit: true}
              kl_co_scale: {min: 1.0e-6, max: 1.0e-4, init: log_uniform, weight: 0.8, space: log}
            model: {gen_dim: 100, fac_dim: 40, co_dim: &c 2}
            resources: {slots: 0, threads_per_slot: 1}
            faults: {heartbeat_interval: 5, heartbeat_timeout: 30, max_attempts: 3}
            toy: {epoch_seconds: 0, nan_workers: [1]}

            """
        let model = "gen_dim: 64\nfac_dim: 16\nco_dim: 2\nbatch_size: 32\nlr_init: 0.004\nsession_encod_dims: []\nposterior_samples: 50\nmax_epochs: 200\n"
        var rng = ConfigFuzzRandom(seed: 7)
        let total = 300
        var outcomes = [0, 0, 0, 0, 0, 0]   // run ok/rejected, model ok/rejected, checkpoint ok/rejected
        for i in 0..<total {
            let text = Self.mutate(run, &rng)
            do {
                let c = try RunConfig.parse(yaml: text, baseDirectory: "/tmp")
                #expect(c.population <= RunConfig.Limits.population && c.maxGenerations <= RunConfig.Limits.epochs, "run fuzz \(i)")
                outcomes[0] += 1
            } catch let e as Runtime.ConfigError {
                #expect(!e.message.contains("\n"), "run fuzz \(i): \(e.message)")
                outcomes[1] += 1
            } catch { Issue.record("run fuzz \(i): unexpected \(type(of: error)): \(error)") }
        }
        for i in 0..<total {
            do {
                let c = try LFADSConfig.fromYAML(Self.mutate(model, &rng), source: "fuzz\(i).yaml")
                try c.validate()
                outcomes[2] += 1
            } catch let e as LFADSModel.ConfigError {
                #expect(!"\(e)".contains("\n"), "model fuzz \(i): \(e)")
                outcomes[3] += 1
            } catch { Issue.record("model fuzz \(i): unexpected \(type(of: error)): \(error)") }
        }
        let valid = try CheckpointCodec.encode(Self.sampleCheckpoint())
        for i in 0..<total {
            var bytes = valid
            for _ in 0..<(1 + rng.below(4)) {
                let at = rng.below(2) == 0 ? Self.h + 8 + rng.below(56) : rng.below(bytes.count)   // often the section lengths
                switch rng.below(4) {
                case 0: bytes[at] ^= UInt8(1) << UInt8(rng.below(8))
                case 1: bytes[at] = [0, 0xFF, 0x7F, 0x80][rng.below(4)]
                case 2: for k in at..<min(bytes.count, at + 8) { bytes[k] = 0xFF }
                default: bytes[at] = UInt8(rng.below(256))
                }
            }
            if rng.below(10) != 0 { Self.resum(&bytes) }
            do {
                let c = try CheckpointCodec.decode(bytes, path: "fuzz\(i)")
                #expect(c.epoch <= LFADSConfig.Limits.epochs && c.adamStep >= 0, "checkpoint fuzz \(i)")
                outcomes[4] += 1
            } catch let e as CheckpointError {
                #expect(!"\(e)".contains("\n"), "checkpoint fuzz \(i): \(e)")
                outcomes[5] += 1
            } catch { Issue.record("checkpoint fuzz \(i): unexpected \(type(of: error)): \(error)") }
        }
        print("fuzzed \(3 * total) inputs in-process: run configs \(outcomes[0]) parsed / \(outcomes[1]) rejected, model configs \(outcomes[2]) / \(outcomes[3]), checkpoints \(outcomes[4]) decoded / \(outcomes[5]) rejected; 0 crashed")
        #expect(outcomes.reduce(0, +) == 3 * total)
    }

    /// One to four edits: a YAML-significant character replaced or inserted, a character deleted,
    /// a line duplicated, or a number made huge, negative or fractional.
    static func mutate(_ text: String, _ rng: inout ConfigFuzzRandom) -> String {
        var chars = Array(text)
        let alphabet = Array("[]{}:,-&*!|>'\"#\n 0123456789e.-_aZü")
        let numbers = ["1e300", "-1", "99999999999999999999", "1e9", "0", "-5", "2.5", "1e14", "&x 3", "*x", "nan", ".inf"]
        for _ in 0..<(1 + rng.below(4)) where !chars.isEmpty {
            let at = rng.below(chars.count)
            switch rng.below(6) {
            case 0: chars[at] = alphabet[rng.below(alphabet.count)]
            case 1: chars.insert(alphabet[rng.below(alphabet.count)], at: at)
            case 2: chars.remove(at: at)
            case 3:
                let lines = String(chars).split(separator: "\n", omittingEmptySubsequences: false)
                let k = rng.below(lines.count)
                chars = Array((lines[...k] + [lines[k]] + lines[(k + 1)...]).joined(separator: "\n"))
            default:
                if let digit = chars[at...].firstIndex(where: \.isNumber) {
                    var end = digit
                    while end < chars.count && (chars[end].isNumber || chars[end] == "." || chars[end] == "e" || chars[end] == "-") { end += 1 }
                    chars.replaceSubrange(digit..<end, with: Array(numbers[rng.below(numbers.count)]))
                }
            }
        }
        return String(chars)
    }
}

/// SplitMix64 for the config fuzz pass (reproducible from its seed).
struct ConfigFuzzRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func below(_ n: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return n <= 1 ? 0 : Int((z ^ (z >> 31)) % UInt64(n))
    }
}

