import Engine
import Foundation
import LFADSData

/// What one observation model (the likelihood of the reconstruction term) provides. A new likelihood is one
/// file with a conforming type and one line in `ObservationModel.allCases`; config, network, readout
/// initialisation, loss and outputs reach it only through this protocol.
public protocol ObservationLikelihood: Sendable {
    /// The config value (`reconstruction: NAME`), lower case.
    var name: String { get }
    /// Other accepted spellings (lfads-torch class names), matched case-insensitively.
    var aliases: [String] { get }
    /// The raw per-neuron readout values, in readout order (written as `{split}_output_dist_params`).
    var parameterNames: [String] { get }
    /// Whether the data must be whole non-negative counts.
    var requiresCounts: Bool { get }
    /// Per-session parameters of the model beyond the readout (none by default).
    func extraParameters(store: ParameterStore, prefix: String, neurons: Int, config: LFADSConfig) -> [Param]
    /// The distribution parameters from the raw readout columns (one B×N tensor each) and the extra parameters.
    func distribution(tape: Tape, raw: [Tensor], extra: [Param]) -> [Tensor]
    /// Element-wise negative log-likelihood of `target`; gradients flow only where `gradientMask` is 1 (nil: everywhere).
    func nll(tape: Tape, params: [Tensor], target: Tensor, gradientMask: Tensor?, config: LFADSConfig) -> Tensor
    /// A term added to the loss (none by default).
    func penalty(tape: Tape, extra: [Param], config: LFADSConfig) -> Tensor?
    /// Adds the distribution mean of each of the `count` elements (parameter j of element i in `params[j][i]`)
    /// to `sums[offset + i]`: the posterior rates `{split}_output_params`.
    func addMeans(of params: [UnsafeMutableBufferPointer<Float>], count: Int, to sums: UnsafeMutableBufferPointer<Float>,
                  offset: Int, config: LFADSConfig)
    /// The readout bias of one neuron from its data moments (`readout_bias_from_data`): one value per
    /// parameter, nil where the bias stays 0.
    func readoutBias(mean: Double, variance: Double, nonZero: Double) -> [Double?]
}

extension ObservationLikelihood {
    public var aliases: [String] { [] }
    public var requiresCounts: Bool { false }
    public func extraParameters(store: ParameterStore, prefix: String, neurons: Int, config: LFADSConfig) -> [Param] { [] }
    public func distribution(tape: Tape, raw: [Tensor], extra: [Param]) -> [Tensor] { raw }
    public func penalty(tape: Tape, extra: [Param], config: LFADSConfig) -> Tensor? { nil }
    /// `nll` with the gradient mask applied (for likelihoods without a fused masked kernel).
    public func masked(_ nll: Tensor, _ gradientMask: Tensor?, tape: Tape) -> Tensor {
        gradientMask.map { tape.gradientMask(nll, $0) } ?? nll
    }
}

/// The observation model of a config (`reconstruction`): one of `allCases`, compared by name.
public struct ObservationModel: Equatable, Sendable, CaseIterable, CustomStringConvertible {
    public let likelihood: any ObservationLikelihood

    public init(_ likelihood: any ObservationLikelihood) { self.likelihood = likelihood }

    public static let poisson = ObservationModel(PoissonLikelihood())
    public static let gaussian = ObservationModel(GaussianLikelihood())
    public static let mse = ObservationModel(SquaredErrorLikelihood())
    public static let gamma = ObservationModel(GammaLikelihood())
    public static let zig = ObservationModel(ZeroInflatedGammaLikelihood())
    /// Every observation model the config accepts: registering a new one is one line here.
    public static let allCases: [ObservationModel] = [.poisson, .gaussian, .mse, .gamma, .zig]

    /// Parses the config value: a model's name or one of its aliases (case-insensitive).
    /// - Throws: `ConfigError.badValue` listing the accepted names.
    public init(parsing text: String) throws {
        let t = text.lowercased()
        guard let m = Self.allCases.first(where: { $0.likelihood.name == t || $0.likelihood.aliases.contains { $0.lowercased() == t } }) else {
            let names = Self.allCases.map(\.rawValue).joined(separator: ", ")
            let aliases = Self.allCases.flatMap(\.likelihood.aliases).joined(separator: ", ")
            throw ConfigError.badValue(key: "reconstruction", value: text, expected: "one of \(names)" + (aliases.isEmpty ? "" : " (or \(aliases))"))
        }
        self = m
    }

    /// The config name.
    public var rawValue: String { likelihood.name }
    public var description: String { rawValue }
    /// Readout values per neuron.
    public var parameterCount: Int { likelihood.parameterNames.count }
    public var parameterNames: [String] { likelihood.parameterNames }
    /// True for count models (data must be whole non-negative numbers).
    public var requiresCounts: Bool { likelihood.requiresCounts }

    public static func == (a: ObservationModel, b: ObservationModel) -> Bool { a.rawValue == b.rawValue }
}

extension LFADSConfig {
    /// What the data reader must accept for this config: whole counts only for count models, NaN only
    /// with `allow_missing: true`.
    public var readOptions: LFADSReadOptions {
        LFADSReadOptions(allowMissing: allowMissing, requireCounts: reconstruction.requiresCounts)
    }
}
