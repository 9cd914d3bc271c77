import Foundation

/// What a worker trains in one generation: the `toy` objective or LFADS. A new objective implements
/// these few members (plus its `RunConfig.Objective` value, and its final-step outputs in `WorkerRunner.run`);
/// `WorkerRunner.train` does the rest identically for every objective: try the starting checkpoints in
/// order (a corrupt one is logged and skipped), train, then write `checkpoint.bin` (when the objective
/// says its state is worth keeping), `hps.json`, `metrics.csv`, the TensorBoard events and last `result.json`.
protocol WorkerObjective {
    /// Columns of `metrics.csv`, in file order; every row `train` reports has one value per column.
    var metricsColumns: [String] { get }
    /// TensorBoard tag of the generation's score (step = generation).
    var scoreTag: String { get }
    /// Epochs trained along this worker's lineage so far (restored from the starting checkpoint).
    var totalEpochs: Int { get }
    /// Continues from the checkpoint at `path`; throws when it cannot be used (the runner tries the next).
    mutating func load(checkpoint path: String) throws
    /// Trains `epochs` epochs, reporting each epoch's metrics row and TensorBoard scalars. Returns the
    /// score PBT reads (nil: no valid score, PBT replaces the worker) and whether the state is worth
    /// a checkpoint (LFADS: false when training diverged or the score is not finite).
    mutating func train(epochs: Int, log: (String) -> Void, onEpoch: (EpochMetrics) -> Void) throws -> (score: Double?, checkpoint: Bool)
    /// Writes the model state to `path` (atomically).
    func save(checkpoint path: String) throws
}

/// One epoch as a worker reports it: its `metrics.csv` values (text, in column order) and TensorBoard scalars.
struct EpochMetrics {
    var epoch: Int
    var values: [String]
    var scalars: [(tag: String, value: Double)]
}

extension WorkerRunner {
    /// One generation of `objective`, with the bookkeeping every objective shares.
    static func train<O: WorkerObjective>(_ objective: inout O, job: WorkerJob, started: Date,
                                          log: (String) -> Void) throws -> JobOutcome {
        var rejected: [String] = [], startedFrom: String?
        for path in job.initCheckpoints {
            do { try objective.load(checkpoint: path); startedFrom = path; break }
            catch { log("rejected starting checkpoint: \(error)"); rejected.append(path) }
        }
        if startedFrom == nil && !job.initCheckpoints.isEmpty { log("no valid starting checkpoint; starting fresh") }
        let columns = objective.metricsColumns
        var rows = [columns.joined(separator: ",")]
        var events: [WorkerEvents.Step] = []
        let (score, keep) = try objective.train(epochs: job.epochs, log: log) { m in
            precondition(m.values.count == columns.count, "metrics row of \(m.values.count) values for \(columns.count) columns")
            rows.append(m.values.joined(separator: ","))
            events.append((m.epoch, Date().timeIntervalSince1970, m.scalars))
        }
        let out = job.outputDirectory as NSString
        let ckpt = out.appendingPathComponent(WorkerFiles.checkpoint)
        if keep { try objective.save(checkpoint: ckpt) }
        try FileIO.writeJSON(job.hps, to: out.appendingPathComponent(WorkerFiles.hps))
        try FileIO.write(Data((rows.joined(separator: "\n") + "\n").utf8), to: out.appendingPathComponent(WorkerFiles.metrics))
        try WorkerEvents.write(job: job, epochs: events, score: score, metricTag: objective.scoreTag)
        let result = JobOutcome(score: score, epochs: job.epochs, totalEpochs: objective.totalEpochs,
                                seconds: Date().timeIntervalSince(started), startedFrom: startedFrom,
                                rejectedCheckpoints: rejected, checkpoint: ckpt)
        try FileIO.writeJSON(result, to: out.appendingPathComponent(WorkerFiles.result))
        log("done: score \(score.map { String($0) } ?? "NaN") after \(objective.totalEpochs) epochs in total")
        return result
    }
}
