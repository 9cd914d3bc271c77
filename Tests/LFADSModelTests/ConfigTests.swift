import Foundation
import Testing
@testable import LFADSModel

@Suite struct ConfigTests {
    @Test func yamlSetsTypedValuesOverDefaults() throws {
        let c = try LFADSConfig.fromYAML("gen_dim: 100\nlr_init: 0.01\ncd_rate: 0.5\nkl_co_scale: 1e-6\n")
        #expect(c.genDim == 100)
        #expect(c.lrInit == 0.01)
        #expect(c.cdRate == 0.5)
        #expect(c.klCoScale == 1e-6)
        #expect(c.facDim == LFADSConfig().facDim)
    }

    @Test func unknownKeyNamesItAndSuggests() {
        #expect(throws: ConfigError.unknownKey("gen_dimm", suggestions: ["gen_dim", "con_dim"])) {
            _ = try LFADSConfig.fromYAML("gen_dimm: 3")
        }
        do { _ = try LFADSConfig.fromYAML("lr_int: 0.1"); Issue.record("no error") } catch {
            let text = String(describing: error)
            #expect(text.contains("'lr_int'") && text.contains("'lr_init'"))
        }
    }

    @Test func wrongTypesAreErrors() {
        #expect(throws: ConfigError.badValue(key: "gen_dim", value: "1.5", expected: "an integer")) {
            _ = try LFADSConfig.fromYAML("gen_dim: 1.5")
        }
        #expect(throws: ConfigError.self) { _ = try LFADSConfig.fromYAML("lr_init: fast") }
        #expect(throws: ConfigError.self) { _ = try LFADSConfig.fromYAML("- 1\n- 2") }
        #expect(throws: ConfigError.self) { _ = try LFADSConfig.fromYAML("gen_dim: [1, 2]") }
    }

    @Test func overridesApplyInOrderAndRejectUnknownKeys() throws {
        var c = LFADSConfig()
        try c.apply(overrides: ["gen_dim=10", "gen_dim=12", "dropout_rate=0.2", "batch_size=1e2"])
        #expect(c.genDim == 12 && c.dropoutRate == 0.2 && c.batchSize == 100)
        #expect(throws: ConfigError.self) { try c.apply(overrides: ["nope=1"]) }
        #expect(throws: ConfigError.self) { try c.apply(overrides: ["gen_dim"]) }
    }

    /// Values as YAML/JSON give them are checked against the key's type directly; on/off options are Bools
    /// that also take lfads-torch's 1/0.
    @Test func typedValuesAreCheckedAgainstTheKeysType() throws {
        var c = LFADSConfig()
        try c.set("gen_dim", to: .number(16)); try c.set("lr_init", to: .number(2e-3))
        try c.set("allow_missing", to: .bool(true)); try c.set("pcr_init", to: .number(0))
        try c.set("do_train_readin", to: .text("false")); try c.set("readout_bias_from_data", to: .text("0"))
        try c.set("session_encod_dims", to: .list([.number(5), .number(6)])); try c.set("session_recon_dims", to: .number(7))
        try c.set("reconstruction", to: .text("zig"))
        #expect(c.genDim == 16 && c.lrInit == 2e-3 && c.allowMissing && !c.pcrInit && !c.doTrainReadin && !c.readoutBiasFromData)
        #expect(c.sessionEncodDims == [5, 6] && c.sessionReconDims == [7] && c.reconstruction == .zig)
        #expect(c.value(of: "allow_missing") == "true" && c.value(of: "pcr_init") == "false")
        for (key, value) in [("gen_dim", ConfigValue.number(16.5)), ("gen_dim", .bool(true)), ("lr_init", .number(.infinity)),
                             ("allow_missing", .number(2)), ("allow_missing", .text("maybe")), ("reconstruction", .number(1)),
                             ("session_encod_dims", .list([.number(5), .text("x")])), ("readout_bias_from_data", .text("2"))] {
            #expect(throws: ConfigError.self, "\(key) = \(value)") { try c.set(key, to: value) }
        }
        let e = #expect(throws: ConfigError.self) { try c.set("gen_dims", to: .number(16)) }
        #expect("\(e!)".contains("gen_dim"), "suggests the close match")
        // The JSON form (checkpoints) writes Bools and still reads the 0/1 of checkpoints written before.
        let json = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
        #expect(json.contains("\"allow_missing\":true"), "\(json)")
        let old = try JSONDecoder().decode(LFADSConfig.self, from: Data(#"{"allow_missing": 1, "pcr_init": 0}"#.utf8))
        #expect(old.allowMissing && !old.pcrInit)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(LFADSConfig.self, from: Data(#"{"allow_missing": 2}"#.utf8)) }
    }

    @Test func validationRejectsOutOfRangeValues() throws {
        try LFADSConfig().validate()
        for bad in ["cd_rate=1", "dropout_rate=-0.1", "gen_dim=0", "lr_decay=0", "con_dim=0",
                    "posterior_samples=0", "cell_clip=0", "kl_ic_scale=-1"] {
            var c = LFADSConfig()
            try c.apply(overrides: [bad])
            #expect(throws: ConfigError.self, "\(bad) must be rejected") { try c.validate() }
        }
        var noController = LFADSConfig()
        try noController.apply(overrides: ["con_dim=0", "co_dim=0", "ci_enc_dim=0"])
        try noController.validate()
        #expect(!noController.hasController)
    }

    @Test func resolvedFillsDataDimsAndRejectsMismatch() throws {
        let c = try LFADSConfig().resolved(encodDataDim: 30, encodSeqLen: 40, reconDataDim: 35, reconSeqLen: 45, extInputDim: 0)
        #expect(c.encodDataDim == 30 && c.reconSeqLen == 45 && c.icEncBins == 40)
        var fixed = LFADSConfig()
        fixed.encodDataDim = 29
        #expect(throws: ConfigError.self) {
            _ = try fixed.resolved(encodDataDim: 30, encodSeqLen: 40, reconDataDim: 30, reconSeqLen: 40, extInputDim: 0)
        }
    }

    @Test func yamlRoundTripsEveryKey() throws {
        var c = LFADSConfig()
        try c.apply(overrides: ["gen_dim=77", "kl_ic_scale=3.5e-7", "seed=9", "reconstruction=ZeroInflatedGamma",
                                "session_encod_dims=[3, 4]", "session_recon_dims=3,5", "temporal_shift_std=0.5", "temporal_shift_max=2"])
        #expect(c.reconstruction == .zig && c.sessionReconDims == [3, 5])
        #expect(try LFADSConfig.fromYAML(c.yamlString()) == c)
        #expect(LFADSConfig.keys.count == 65)
    }
}

@Suite struct ObservationConfigTests {
    @Test func reconstructionAcceptsShortAndTorchNamesAndRejectsOthers() throws {
        var c = LFADSConfig()
        for (text, model) in [("gaussian", ObservationModel.gaussian), ("Gamma", .gamma), ("zig", .zig), ("Poisson", .poisson),
                             ("MSE", .mse), ("mse", .mse)] {
            try c.set("reconstruction", to: text)
            #expect(c.reconstruction == model)
        }
        #expect(throws: ConfigError.self) { try c.set("reconstruction", to: "binomial") }
        do { try c.set("reconstruction", to: "binomial") } catch { #expect("\(error)".contains("one of poisson, gaussian, mse, gamma, zig")) }
        c.reconstruction = .gaussian; c.spikeJitterWidth = 2
        #expect(throws: ConfigError.self) { try c.validate() }
        c.reconstruction = .mse
        #expect(throws: ConfigError.self) { try c.validate() }
        #expect(ObservationModel.mse.parameterCount == 1 && ObservationModel.mse.parameterNames == ["mean"])
    }
}

@Suite struct ConfigCodingTests {
    @Test func jsonUsesLfadsNamesAndDefaultsMissingKeys() throws {
        var c = LFADSConfig()
        c.genDim = 91
        let json = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
        #expect(json.contains("\"gen_dim\":91"))
        #expect(try JSONDecoder().decode(LFADSConfig.self, from: json.data(using: .utf8)!) == c)
        let partial = try JSONDecoder().decode(LFADSConfig.self, from: "{\"fac_dim\": 7}".data(using: .utf8)!)
        #expect(partial.facDim == 7 && partial.genDim == LFADSConfig().genDim)
        #expect(throws: ConfigError.self) { _ = try JSONDecoder().decode(LFADSConfig.self, from: "{\"nope\": 1}".data(using: .utf8)!) }
    }
}
