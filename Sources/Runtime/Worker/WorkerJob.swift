import Foundation

/// Everything a worker process needs to train one worker for one generation.
/// Written by the client as `job.json`; read by `autolfads worker --job-file`.
public struct WorkerJob: Codable, Equatable, Sendable {
    public var run: String
    public var worker: Int
    public var generation: Int
    /// 1-based attempt number of this job.
    public var attempt: Int
    public var epochs: Int
    public var hps: [String: Double]
    /// Checkpoints to start from, in order of preference (parent's newest first); empty = fresh start.
    public var initCheckpoints: [String]
    /// Directory receiving `checkpoint.bin`, `hps.json`, `metrics.csv`, `result.json`.
    public var outputDirectory: String
    public var seed: UInt64
    public var config: RunConfig
    /// What to do: train a generation, or write the final model's outputs (posterior sampling).
    public var task: Task = .train

    /// The kinds of job a worker process runs.
    public enum Task: String, Codable, Sendable { case train, posterior }

    public init(run: String, worker: Int, generation: Int, attempt: Int, epochs: Int, hps: [String: Double],
                initCheckpoints: [String], outputDirectory: String, seed: UInt64, config: RunConfig, task: Task = .train) {
        self.run = run; self.worker = worker; self.generation = generation; self.attempt = attempt
        self.epochs = epochs; self.hps = hps; self.initCheckpoints = initCheckpoints
        self.outputDirectory = outputDirectory; self.seed = seed; self.config = config; self.task = task
    }
}

/// What a finished worker reports (`result.json`). `score` is nil when the objective was NaN/Inf.
public struct JobOutcome: Codable, Equatable, Sendable {
    public var score: Double?
    public var epochs: Int
    /// Total epochs trained along this worker's lineage.
    public var totalEpochs: Int
    public var seconds: Double
    /// Which checkpoint it started from (nil = fresh), and any it rejected as corrupt.
    public var startedFrom: String?
    public var rejectedCheckpoints: [String]
    public var checkpoint: String

    public init(score: Double?, epochs: Int, totalEpochs: Int, seconds: Double, startedFrom: String?,
                rejectedCheckpoints: [String], checkpoint: String) {
        self.score = score; self.epochs = epochs; self.totalEpochs = totalEpochs; self.seconds = seconds
        self.startedFrom = startedFrom; self.rejectedCheckpoints = rejectedCheckpoints; self.checkpoint = checkpoint
    }
}

/// File names inside a worker-generation directory.
public enum WorkerFiles {
    public static let job = "job.json"
    public static let result = "result.json"
    public static let checkpoint = "checkpoint.bin"
    public static let hps = "hps.json"
    public static let metrics = "metrics.csv"
    public static let log = "log.txt"
}

extension WorkerJob {
    /// Reads a job file.
    public static func load(path: String) throws -> WorkerJob { try FileIO.readJSON(WorkerJob.self, from: path) }
    /// Writes the job file atomically.
    public func save(path: String) throws { try FileIO.writeJSON(self, to: path) }
}
