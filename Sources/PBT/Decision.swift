/// Whether smaller or larger scores are better.
public enum Objective: String, Codable, Equatable, Sendable {
    case minimize, maximize

    /// True when `a` is strictly better than `b` (ties are not better).
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        self == .minimize ? a < b : a > b
    }
}

/// A worker's outcome at the end of one generation (the input to every decision).
public struct WorkerResult: Codable, Equatable, Sendable {
    /// Worker id (any non-negative integer, unique in a population).
    public var worker: Int
    /// Generation just completed (0-based, counted per worker).
    public var generation: Int
    /// HPs the worker trained with during this generation.
    public var hyperparameters: Hyperparameters
    /// PBT metric; nil means the worker failed (NaN/±∞ passed to `init` are stored as nil,
    /// so results and decisions stay JSON-encodable and `Equatable` behaves).
    public var score: Double?
    /// Opaque reference to the checkpoint written at the end of this generation.
    public var checkpoint: String

    public init(worker: Int, generation: Int, hyperparameters: Hyperparameters,
                score: Double?, checkpoint: String) {
        self.worker = worker; self.generation = generation
        self.hyperparameters = hyperparameters; self.checkpoint = checkpoint
        self.score = score.flatMap { $0.isFinite ? $0 : nil }
    }

    /// True when the score is a finite number.
    public var isValid: Bool { score.map { $0.isFinite } ?? false }
}

/// What a worker does next.
public enum Action: String, Codable, Equatable, Sendable {
    /// Continue from its own checkpoint with its own HPs (no explore).
    case keep
    /// Load the parent's checkpoint and train with `newHyperparameters` (parent's HPs, explored).
    case copy
    /// The worker must copy (its score is invalid) but no worker has a valid score
    /// (sync), or none is eligible yet (async). HPs and checkpoint are left unchanged.
    case noValidDonor
}

/// One exploit/explore decision, as stored in `decisions.csv` / the database.
public struct Decision: Codable, Equatable, Sendable {
    public var worker: Int
    /// Generation whose end this decision follows.
    public var generation: Int
    public var action: Action
    /// Worker whose checkpoint is continued from (the worker itself for keep).
    public var parent: Int
    /// Generation of that checkpoint.
    public var parentGeneration: Int
    /// Checkpoint reference to continue from (opaque).
    public var parentCheckpoint: String
    /// HPs the worker had during `generation`.
    public var oldHyperparameters: Hyperparameters
    /// HPs for the next generation.
    public var newHyperparameters: Hyperparameters
    /// The worker's own score (nil if failed).
    public var score: Double?
    /// The parent's score (nil if failed).
    public var parentScore: Double?

    public init(worker: Int, generation: Int, action: Action, parent: Int, parentGeneration: Int,
                parentCheckpoint: String, oldHyperparameters: Hyperparameters,
                newHyperparameters: Hyperparameters, score: Double?, parentScore: Double?) {
        self.worker = worker; self.generation = generation; self.action = action
        self.parent = parent; self.parentGeneration = parentGeneration
        self.parentCheckpoint = parentCheckpoint; self.oldHyperparameters = oldHyperparameters
        self.newHyperparameters = newHyperparameters; self.score = score; self.parentScore = parentScore
    }

    /// A keep (or no-donor) decision: continue from own checkpoint with own HPs.
    static func stay(_ r: WorkerResult, _ action: Action = .keep) -> Decision {
        Decision(worker: r.worker, generation: r.generation, action: action, parent: r.worker,
                 parentGeneration: r.generation, parentCheckpoint: r.checkpoint,
                 oldHyperparameters: r.hyperparameters, newHyperparameters: r.hyperparameters,
                 score: r.score, parentScore: r.score)
    }
}
