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
    /// Mean over the epoch's optimisation steps of the global gradient norm before clipping: the L2
    /// norm over every trainable parameter's gradient of the scaled training loss (`loss_scale` × loss),
    /// the quantity `max_grad_norm` clips.
    public var gradNorm: Double = 0
    /// Largest pre-clipping global gradient norm of the epoch's steps.
    public var gradNormMax: Double = 0

    /// New columns go at the end so readers that index columns by position keep working.
    static let csvHeader = "epoch,train_recon,valid_recon,valid_recon_sv,train_kl_ic,train_kl_co,train_l2,ramp_kl,ramp_l2,valid_recon_smth,lr,seconds,grad_norm,grad_norm_max"

    var csvLine: String {
        [String(epoch), fmt(trainRecon), fmt(validRecon), validReconHeldOut.map(fmt) ?? "", fmt(trainKLIc), fmt(trainKLCo),
         fmt(trainL2), fmt(rampKL), fmt(rampL2), fmt(smoothedValid), fmt(learningRate), String(format: "%.3f", seconds),
         fmt(gradNorm), fmt(gradNormMax)]
            .joined(separator: ",")
    }

    /// TensorBoard tag of each numeric CSV column (`train_log.csv` and the workers' `metrics.csv`).
    public static let tensorBoardTags: [(column: String, tag: String)] = [
        ("train_recon", "train/recon"), ("valid_recon", "valid/recon"), ("valid_recon_sv", "valid/recon_sv"),
        ("valid_recon_smth", "valid/recon_smth"), ("train_kl_ic", "train/kl_ic"), ("train_kl_co", "train/kl_co"),
        ("train_l2", "train/l2"), ("ramp_kl", "train/ramp_kl"), ("ramp_l2", "train/ramp_l2"), ("lr", "train/lr"),
        ("grad_norm", "train/grad_norm"), ("grad_norm_max", "train/grad_norm_max"),
    ]

    /// The value of a numeric CSV column (nil for `epoch`, `seconds`, unknown names and an absent SV metric).
    public func value(column: String) -> Double? {
        switch column {
        case "train_recon": return trainRecon
        case "valid_recon": return validRecon
        case "valid_recon_sv": return validReconHeldOut
        case "valid_recon_smth": return smoothedValid
        case "train_kl_ic": return trainKLIc
        case "train_kl_co": return trainKLCo
        case "train_l2": return trainL2
        case "ramp_kl": return rampKL
        case "ramp_l2": return rampL2
        case "lr": return learningRate
        case "grad_norm": return gradNorm
        case "grad_norm_max": return gradNormMax
        default: return nil
        }
    }

    /// The TensorBoard scalars of the given CSV columns (those with a tag and a value), in that order.
    public func tensorBoardScalars(columns: [String]) -> [(tag: String, value: Double)] {
        columns.compactMap { column in
            guard let tag = Self.tensorBoardTags.first(where: { $0.column == column })?.tag,
                  let v = value(column: column) else { return nil }
            return (tag, v)
        }
    }

    /// Every numeric column of `train_log.csv`, in file order.
    public static var trainLogColumns: [String] { csvHeader.split(separator: ",").map(String.init) }

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
