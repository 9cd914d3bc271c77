import Foundation

/// One epoch's numbers, as logged to `train_log.csv`.
public struct EpochRecord: Equatable, Sendable {
    /// 0-based epoch index.
    public var epoch: Int
    public var trainRecon: Double
    public var validRecon: Double
    /// Valid recon over SV held-out elements (nil when SV is off).
    public var validReconHeldOut: Double?
    public var trainKLIc: Double
    public var trainKLCo: Double
    public var trainL2: Double
    public var rampKL: Double
    public var rampL2: Double
    public var smoothedValid: Double
    public var learningRate: Double
    public var seconds: Double

    static let csvHeader = "epoch,train_recon,valid_recon,valid_recon_sv,train_kl_ic,train_kl_co,train_l2,ramp_kl,ramp_l2,valid_recon_smth,lr,seconds"

    var csvLine: String {
        [String(epoch), fmt(trainRecon), fmt(validRecon), validReconHeldOut.map(fmt) ?? "", fmt(trainKLIc), fmt(trainKLCo),
         fmt(trainL2), fmt(rampKL), fmt(rampL2), fmt(smoothedValid), fmt(learningRate), String(format: "%.3f", seconds)]
            .joined(separator: ",")
    }

    private func fmt(_ x: Double) -> String { String(format: "%.8g", x) }

    /// A one-line human summary.
    public var summary: String {
        String(format: "epoch %4d  train %.5f  valid %.5f  smth %.5f  kl_ic %.3g  kl_co %.3g  lr %.3g  %.2fs",
               epoch, trainRecon, validRecon, smoothedValid, trainKLIc, trainKLCo, learningRate, seconds)
    }
}

/// Failures while training, one line each.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case nonFinite(epoch: Int, what: String)
    case badData(String)

    public var description: String {
        switch self {
        case let .nonFinite(epoch, what):
            return "training stopped at epoch \(epoch): \(what) is NaN or infinite; lower lr_init or the KL/L2 scales (the last checkpoint is kept)"
        case let .badData(why): return why
        }
    }
}
