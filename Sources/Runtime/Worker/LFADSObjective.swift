import Foundation
import LFADSData
import LFADSModel

extension RunConfig {
    /// Epochs until the KL and L2 ramps of the `model:` mapping end (LFADS defaults for keys not set;
    /// keys that do not parse are left to the preflight, which names them).
    static func modelRampEnd(_ model: JSONValue) -> Int {
        var c = LFADSConfig()
        for (key, value) in model.object ?? [:] { if let v = value.configValue { try? c.set(key, to: v) } }
        return max(0, c.rampEndEpoch)
    }
}

extension JSONValue {
    /// A `model:` value as `LFADSConfig.set(_:to:)` checks it against its key's type; nil for a mapping or null.
    var configValue: ConfigValue? {
        switch self {
        case .number(let x): return .number(x)
        case .bool(let b): return .bool(b)
        case .string(let t): return .text(t)
        case .array(let items):
            let values = items.compactMap(\.configValue)
            return values.count == items.count ? .list(values) : nil
        case .object, .null: return nil
        }
    }
}

/// The `lfads` objective: trains the LFADS model (`LFADSModel.Trainer`) for one generation.
/// The run's `model:` mapping and the job's hyperparameters become `LFADSConfig` keys; PBT copies
/// load the parent's checkpoint with this job's hyperparameters (`overridingHPs: true`).
/// A NaN/Inf loss reports a missing score (PBT exploits the worker) rather than failing the job.
enum LFADSObjective {
    /// The LFADS config of a job: defaults, then `model:`, then the job's HPs.
    static func config(for job: WorkerJob) throws -> LFADSConfig {
        var c = try modelConfig(job.config)
        for (key, value) in job.hps.sorted(by: { $0.key < $1.key }) {
            // PBT draws and perturbs real numbers; a dimension or count takes the nearest whole one.
            let v = LFADSConfig.isInteger(key) ? value.rounded() : value
            do { try c.set(key, to: .number(v)) }
            catch { throw RuntimeError("run.yaml search_space.\(key): \(error)") }
        }
        if job.config.model["seed"] == nil { c.seed = Int(job.seed % 1_000_000_007) }
        // PBT decides how long a worker trains: the trainer's own stopping rules stay out of the way
        // unless the run config sets them.
        let total = job.config.rampEpochs + job.config.maxGenerations * job.config.epochsPerGeneration + 1
        if job.config.model["max_epochs"] == nil { c.maxEpochs = max(c.maxEpochs, total) }
        if job.config.model["early_stopping_patience"] == nil { c.earlyStoppingPatience = max(c.earlyStoppingPatience, total) }
        return c
    }

    /// The LFADS defaults with the run's `model:` laid over them: what `autolfads train` would use.
    static func modelConfig(_ run: RunConfig) throws -> LFADSConfig {
        var c = LFADSConfig()
        for (key, value) in (run.model.object ?? [:]).sorted(by: { $0.key < $1.key }) {
            do {
                guard let v = value.configValue else {
                    throw LFADSModel.ConfigError.badValue(key: key, value: "a mapping or null", expected: "a number, true/false, a name or a list of numbers")
                }
                try c.set(key, to: v)
            } catch { throw RuntimeError("run.yaml model.\(key): \(error)") }
        }
        return c
    }

    /// The model's own value of each searched hyperparameter (`pbt.start_at_defaults`); empty for the toy objective.
    static func modelDefaults(_ run: RunConfig) throws -> [String: Double] {
        guard run.objective == .lfads else { return [:] }
        let c = try modelConfig(run)
        var d: [String: Double] = [:]
        for hp in run.searchSpace { if let v = c.number(of: hp.name) { d[hp.name] = v } }
        return d
    }

    /// The data files (one per session when stitching) and their paths.
    static func datasets(_ job: WorkerJob) throws -> ([LFADSDataset], [String]) {
        guard let path = job.config.data else { throw RuntimeError("run.yaml data: the lfads objective needs a data file") }
        let paths = job.config.sessionData ?? [path]
        // The observation model decides what the data may hold (float values, NaN for missing data).
        let options = try config(for: job).readOptions
        return (try paths.map { try LFADSReader.read($0, options: options) }, paths)
    }

    static var threads: Int { Int(ProcessInfo.processInfo.environment["AUTOLFADS_THREADS"] ?? "") ?? 1 }

    /// The number this generation reports to PBT (`pbt.metric`); nil when it is not finite.
    static func generationScore(_ metric: PBTMetric, smoothedValid: Double, trainer: Trainer,
                                log: (String) -> Void) throws -> Double? {
        let value: Double
        switch metric {
        case .validReconSmth:
            value = smoothedValid
        case .validCobps:
            value = try trainer.validCoBitsPerSpike()
        case .validSvHeldout:
            // Smoothed like valid/recon_smth (0.3 · previous + 0.7 · current) over this generation's epochs.
            let heldOut = trainer.records.compactMap(\.validReconHeldOut)
            guard let first = heldOut.first else {
                throw TrainingError.badData("pbt.metric valid_sv_heldout needs sample validation: set model.sv_rate above 0")
            }
            value = heldOut.dropFirst().reduce(first) { 0.3 * $0 + 0.7 * $1 }
        }
        if metric != .validReconSmth { log("\(metric.rawValue) \(value)") }
        return value.isFinite ? value : nil
    }

    /// Posterior sampling of the best model (`initCheckpoints[0]`) into its output directory
    /// (`lfads_output_<stem>.h5`), its rates averaged with those of the further `initCheckpoints`
    /// (the run's next-best worker-generations, `final_ensemble`).
    static func outputs(job: WorkerJob, started: Date, log: (String) -> Void) throws -> JobOutcome {
        let (data, paths) = try datasets(job)
        guard let ckpt = job.initCheckpoints.first else { throw RuntimeError("posterior job without a checkpoint") }
        let trainer = try Trainer(config: try config(for: job), datasets: data, names: paths, threads: threads)
        let files = try trainer.writeEnsemblePosteriorOutputs(checkpoints: job.initCheckpoints, datasets: data, inputPaths: paths,
                                                              outputDir: job.outputDirectory, samples: job.config.posteriorSamples,
                                                              log: log)
        for file in files { log("wrote \(file)") }
        return JobOutcome(score: nil, epochs: 0, totalEpochs: trainer.epoch, seconds: Date().timeIntervalSince(started),
                          startedFrom: ckpt, rejectedCheckpoints: [], checkpoint: ckpt)
    }
}

/// One generation of LFADS training for `WorkerRunner.train`. A NaN/Inf loss ends the generation
/// without a score (PBT replaces the worker) and without a checkpoint.
final class LFADSGeneration: WorkerObjective {
    let job: WorkerJob
    let trainer: Trainer
    /// Columns of a worker-generation's `metrics.csv` (new ones are appended, never inserted).
    let metricsColumns = ["epoch", "train_recon", "valid_recon", "valid_recon_smth", "train_kl_ic", "train_kl_co", "train_l2",
                          "lr", "seconds", "grad_norm", "grad_norm_max"]
    var scoreTag: String { "pbt/\(job.config.metric.rawValue)" }
    var totalEpochs: Int { trainer.epoch }

    init(job: WorkerJob) throws {
        self.job = job
        let (data, paths) = try LFADSObjective.datasets(job)
        trainer = try Trainer(config: try LFADSObjective.config(for: job), datasets: data, names: paths, threads: LFADSObjective.threads)
    }

    func load(checkpoint path: String) throws { try trainer.loadCheckpoint(path, overridingHPs: true) }

    func train(epochs: Int, log: (String) -> Void, onEpoch: (EpochMetrics) -> Void) throws -> (score: Double?, checkpoint: Bool) {
        let columns = metricsColumns
        do {
            let s = try withoutActuallyEscaping(log) { log in
                try withoutActuallyEscaping(onEpoch) { onEpoch in
                    try trainer.train(epochs: epochs) { r in
                        let values = [r.trainRecon, r.validRecon, r.smoothedValid, r.trainKLIc, r.trainKLCo, r.trainL2,
                                      r.learningRate, r.seconds, r.gradNorm, r.gradNormMax].map { "\($0)" }
                        onEpoch(EpochMetrics(epoch: r.epoch, values: ["\(r.epoch)"] + values,
                                             scalars: r.tensorBoardScalars(columns: columns)))
                        log("epoch \(r.epoch): valid \(r.validRecon), smoothed \(r.smoothedValid)")
                    }
                }
            }
            let score = try LFADSObjective.generationScore(job.config.metric, smoothedValid: s, trainer: trainer, log: log)
            return (score, score != nil)
        } catch let e as TrainingError {
            log("training stopped: \(e); reporting no score so PBT replaces this worker")
            return (nil, false)
        }
    }

    func save(checkpoint path: String) throws { try trainer.saveCheckpoint(to: path) }
}
