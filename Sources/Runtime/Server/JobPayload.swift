import Foundation
import PBT

/// The payload of one job in the store: what the worker trains and where it starts, or, for the run's
/// final step (`task: posterior`, a negative generation), which checkpoints it samples into `best/`.
public struct JobPayload: Codable, Equatable, Sendable {
    public var hps: [String: Double]
    public var epochs: Int
    /// Checkpoints to start from, root-relative, in order of preference (parent's newest first).
    public var initCheckpoints: [String]
    /// The PBT decision that produced this job (nil for the first generation).
    public var decision: Decision?
    public var seed: UInt64
    /// nil: train a generation (what every payload written before the final step was a job says too).
    public var task: WorkerJob.Task?
    /// The final step's: the best worker-generation's generation (the job's own is negative), which the
    /// worker's job file and log name.
    public var bestGeneration: Int?
    /// The final step's: why PBT ended (the summary's `stopReason`).
    public var stopReason: String?

    public init(hps: [String: Double], epochs: Int, initCheckpoints: [String], decision: Decision?, seed: UInt64,
                task: WorkerJob.Task? = nil, bestGeneration: Int? = nil, stopReason: String? = nil) {
        self.hps = hps; self.epochs = epochs; self.initCheckpoints = initCheckpoints
        self.decision = decision; self.seed = seed; self.task = task; self.bestGeneration = bestGeneration
        self.stopReason = stopReason
    }
}
