import Foundation
import FileSystem

/// Training history carried in checkpoints: what the schedules need to continue exactly.
public struct TrainingHistory: Codable, Equatable, Sendable {
    public var smoothedValid = SmoothedMetric()
    public var plateau: PlateauSchedule
    public var earlyStopping: EarlyStopping
    /// Best smoothed valid metric of the epochs past the KL/L2 ramps (lower is better; infinity until then).
    public var bestScore = Double.infinity

    public init(config: LFADSConfig) {
        plateau = PlateauSchedule(lr: config.lrInit, factor: config.lrDecay, patience: config.lrPatience, minLR: config.lrStop)
        earlyStopping = EarlyStopping(patience: config.earlyStoppingPatience, burnInEpoch: config.rampEndEpoch)
    }
}

/// Everything needed to continue training bit-for-bit: config, weights, Adam state, epoch,
/// RNG states and training history.
public struct Checkpoint: Equatable, Sendable {
    public var config: LFADSConfig
    public var parameters: [Float]
    public var adamM: [Float]
    public var adamV: [Float]
    public var adamStep: Int
    /// Number of completed epochs.
    public var epoch: Int
    public var rngStates: [UInt64]
    public var history: TrainingHistory

    public init(config: LFADSConfig, parameters: [Float], adamM: [Float], adamV: [Float], adamStep: Int,
                epoch: Int, rngStates: [UInt64], history: TrainingHistory) {
        self.config = config; self.parameters = parameters; self.adamM = adamM; self.adamV = adamV
        self.adamStep = adamStep; self.epoch = epoch; self.rngStates = rngStates; self.history = history
    }

    /// Config keys that fix parameter shapes; a checkpoint can only seed a model that agrees on them.
    public static let architectureKeys = ["encod_data_dim", "recon_data_dim", "readin_dim", "ext_input_dim", "ic_enc_dim",
                                          "ci_enc_dim", "con_dim", "co_dim", "ic_dim", "gen_dim", "fac_dim",
                                          "session_encod_dims", "session_recon_dims"]

    /// For PBT exploit: keeps weights, optimiser state, epoch and RNG states, takes every
    /// hyperparameter (learning rate included) from `newConfig`, and restarts the LR schedule, early stopping
    /// and the best-model choice there.
    /// - Throws: `CheckpointError.architectureMismatch` when a shape-defining key differs.
    public func overridingHPs(with newConfig: LFADSConfig) throws -> Checkpoint {
        for key in Self.architectureKeys where config.value(of: key) != newConfig.value(of: key) {
            throw CheckpointError.architectureMismatch(key: key, checkpoint: config.value(of: key)!, config: newConfig.value(of: key)!)
        }
        var result = self
        result.config = newConfig
        var history = TrainingHistory(config: newConfig)
        history.smoothedValid = self.history.smoothedValid   // best model and early stopping start afresh
        result.history = history
        return result
    }
}

/// Why a checkpoint could not be read or used; one line naming the file and the fix.
public enum CheckpointError: Error, Equatable, CustomStringConvertible, FileSystemErrorWrapping {
    case unreadable(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case architectureMismatch(key: String, checkpoint: String, config: String)
    case writeFailed(path: String, cause: FileSystemError)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read checkpoint \(path): \(reason)"
        case let .corrupt(path, reason): return "checkpoint \(path) is corrupt (\(reason)); delete it or resume from another checkpoint"
        case let .writeFailed(path, cause): return "cannot write \(path): \(cause.isMissingDirectory ? cause.description : cause.reason)"
        case let .architectureMismatch(key, a, b):
            return "checkpoint has \(key) = \(a) but the config has \(b); use a config with the same model dimensions"
        }
    }

    /// The file-layer failure of a write (its `errno` tells a full disk from other causes).
    public var fileSystemError: FileSystemError? {
        if case let .writeFailed(_, cause) = self { return cause }
        return nil
    }
}
