/// Observation (reconstruction) model of the data (the likelihood of the reconstruction term). The readout emits
/// `parameterCount` values per neuron; `{split}_output_params` holds the distribution mean.
public enum ObservationModel: String, CaseIterable, Equatable, Sendable {
    /// Counts; readout = log-rate; mean = rate.
    case poisson
    /// Real values; readout = (mean, log-variance); mean = mean.
    case gaussian
    /// Real values scored by squared error (lfads-torch `MSE`); readout = mean; mean = mean.
    case mse
    /// Positive reals; readout = (log α, log β); mean = α/β.
    case gamma
    /// Non-negative reals with exact zeros; readout = (α, β, q) pre-sigmoid; mean = q·(α/β + gamma_loc).
    case zig

    /// Parses the config value: these names or the lfads-torch class names (case-insensitive).
    /// - Throws: `ConfigError.badValue` listing the accepted names.
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "poisson": self = .poisson
        case "gaussian", "normal": self = .gaussian
        case "mse": self = .mse
        case "gamma": self = .gamma
        case "zig", "zeroinflatedgamma", "zero_inflated_gamma": self = .zig
        default:
            throw ConfigError.badValue(key: "reconstruction", value: text,
                                       expected: "one of poisson, gaussian, mse, gamma, zig (or Poisson, Gaussian, MSE, Gamma, ZeroInflatedGamma)")
        }
    }

    /// Readout values per neuron.
    public var parameterCount: Int {
        switch self {
        case .poisson, .mse: return 1
        case .gaussian, .gamma: return 2
        case .zig: return 3
        }
    }

    /// Names of the raw per-neuron parameters, in readout order (written as `{split}_output_dist_params`).
    public var parameterNames: [String] {
        switch self {
        case .poisson: return ["log_rate"]
        case .gaussian: return ["mean", "log_var"]
        case .mse: return ["mean"]
        case .gamma: return ["log_alpha", "log_beta"]
        case .zig: return ["alpha", "beta", "q"]
        }
    }

    /// True for the count model (data must be whole non-negative numbers).
    public var requiresCounts: Bool { self == .poisson }
}

import LFADSData

extension LFADSConfig {
    /// What the data reader must accept for this config: whole counts only for Poisson, NaN only
    /// with `allow_missing: true`.
    public var readOptions: LFADSReadOptions {
        LFADSReadOptions(allowMissing: allowMissing, requireCounts: reconstruction.requiresCounts)
    }
}
