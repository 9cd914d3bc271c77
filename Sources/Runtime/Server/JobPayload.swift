import Foundation
import PBT

/// The payload of one training job in the store: what the worker trains and where it starts.
public struct JobPayload: Codable, Equatable, Sendable {
    public var hps: [String: Double]
    public var epochs: Int
    /// Checkpoints to start from, root-relative, in order of preference (parent's newest first).
    public var initCheckpoints: [String]
    /// The PBT decision that produced this job (nil for the first generation).
    public var decision: Decision?
    public var seed: UInt64

    public init(hps: [String: Double], epochs: Int, initCheckpoints: [String], decision: Decision?, seed: UInt64) {
        self.hps = hps; self.epochs = epochs; self.initCheckpoints = initCheckpoints
        self.decision = decision; self.seed = seed
    }
}
