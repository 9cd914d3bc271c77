/// What a worker reports to PBT at the end of each generation (`pbt.metric` in run.yaml).
public enum PBTMetric: String, Codable, Sendable, CaseIterable {
    /// Smoothed validation reconstruction NLL (lfads-torch `valid/recon_smth`); lower is better.
    case validReconSmth = "valid_recon_smth"
    /// NLB co-smoothing bits/spike of the held-out neurons on the validation split; higher is better.
    /// Needs data with held-out neurons (recon_data wider than encod_data) and Poisson observations.
    case validCobps = "valid_cobps"
    /// Smoothed validation NLL of the sample-validation held-out entries (needs `sv_rate` > 0);
    /// lower is better.
    case validSvHeldout = "valid_sv_heldout"

    /// True when larger values are better.
    public var maximized: Bool { self == .validCobps }

    /// How the metric reads in logs and tables.
    public var label: String {
        switch self {
        case .validReconSmth: return "valid recon (smoothed NLL)"
        case .validCobps: return "valid co-bps"
        case .validSvHeldout: return "valid SV held-out NLL (smoothed)"
        }
    }
}
