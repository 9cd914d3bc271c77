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

    @Test func validationRejectsOutOfRangeValues() throws {
        try LFADSConfig().validate()
        for bad in ["cd_rate=1", "dropout_rate=-0.1", "gen_dim=0", "lr_decay=0", "con_dim=0",
                    "posterior_samples=0", "cell_clip=0", "kl_ic_scale=-1", "readout_bias_from_data=2"] {
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
