import Foundation
import Coordination
import PBT

/// Pure scheduling logic of the server: from the store's job rows, decides what happens next.
/// No I/O; the same inputs give the same plan (decision RNGs are keyed by seed, generation, worker),
/// so a restarted server re-derives exactly what it had decided before.
public struct PopulationPlanner: Sendable {
    public let config: RunConfig
    public let runID: Int64
    public let storage: SharedStorage

    public init(config: RunConfig, runID: Int64, storage: SharedStorage) {
        self.config = config; self.runID = runID; self.storage = storage
    }

    /// Root-relative checkpoint reference of a worker-generation.
    public func checkpointRef(worker: Int, generation: Int) -> String {
        (try? storage.relativePath(storage.checkpoint(run: config.name, worker: worker, generation: generation)))
            ?? "runs/\(config.name)/invalid-worker-\(worker)-generation-\(generation)/checkpoint.bin"
    }

    func seed(_ keys: UInt64...) -> UInt64 {
        var r = PBTRandom(seed: UInt64(bitPattern: Int64(config.seed)), keys: keys)
        return r.next()
    }

    /// Initial hyperparameters of the population (seeded by the run seed; the grid in grid mode).
    /// `modelDefaults`: the model's own value of each hyperparameter (`pbt.start_at_defaults`; evaluated only when on).
    public func initialHyperparameters(modelDefaults: @autoclosure () throws -> [String: Double] = [:]) throws -> [[String: Double]] {
        var rng = PBTRandom(seed: UInt64(bitPattern: Int64(config.seed)), keys: [0])
        var population = try config.pbtPolicy.initialPopulation(workers: config.population, using: &rng)
        guard config.startAtDefaults, config.mode != .grid, !population.isEmpty else { return population }
        let modelDefaults = try modelDefaults()
        for spec in config.pbtPolicy.space.hyperparameters {
            // A fixed initial value stays the space's for worker 0 too: with the NLB space's cd_rate 0.5
            // instead of the model's 0.3 the run scored better on all three small benchmark seeds (docs/PBT.md).
            if case .fixed = spec.initMode { continue }
            guard let d = modelDefaults[spec.name], d.isFinite else { continue }
            population[0][spec.name] = spec.values.map { v in v.min { abs($0 - d) < abs($1 - d) } ?? d } ?? Swift.min(spec.max, Swift.max(spec.min, d))
        }
        return population
    }

    /// Generation-0 job of a worker.
    public func firstJob(worker: Int, hps: [String: Double]) throws -> JobSpec {
        let p = JobPayload(hps: hps, epochs: config.epochs(forGeneration: 0), initCheckpoints: [], decision: nil,
                           seed: seed(3, UInt64(worker), 0))
        return JobSpec(runID: runID, worker: worker, generation: 0, payload: try JSONDocument(encoding: p),
                       maxAttempts: config.maxAttempts)
    }

    /// The job that follows a decision: generation+1, the new HPs, starting from the parent's checkpoint
    /// (with fallbacks if that file turns out corrupted).
    public func nextJob(after d: Decision) throws -> JobSpec {
        let g = d.generation, w = d.worker
        var refs: [(Int, Int)]
        if d.action == .copy {
            refs = [(d.parent, d.parentGeneration), (w, g), (d.parent, d.parentGeneration - 1)]
        } else {
            refs = [(w, g), (w, g - 1), (w, g - 2)]
        }
        refs = refs.filter { $0.1 >= 0 }
        let p = JobPayload(hps: d.newHyperparameters, epochs: config.epochs(forGeneration: g + 1),
                           initCheckpoints: refs.map { checkpointRef(worker: $0.0, generation: $0.1) },
                           decision: d, seed: seed(3, UInt64(w), UInt64(g + 1)))
        return JobSpec(runID: runID, worker: w, generation: g + 1, payload: try JSONDocument(encoding: p),
                       maxAttempts: config.maxAttempts)
    }

    /// The PBT view of a finished job (nil unless `done`).
    public func result(of job: JobView) -> WorkerResult? {
        guard job.status == .done, let payload = job.payload else { return nil }
        return WorkerResult(worker: job.worker, generation: job.generation, hyperparameters: payload.hps,
                            score: job.outcome?.score, checkpoint: checkpointRef(worker: job.worker, generation: job.generation))
    }

    /// Best valid score of each generation 0..<generations (nil when none is valid).
    public func generationBests(_ jobs: [JobView], generations: Int) -> [Double?] {
        var best = [Double?](repeating: nil, count: max(0, generations))
        for j in jobs where j.generation < generations {
            guard let s = result(of: j)?.score, s.isFinite else { continue }
            if let b = best[j.generation] { best[j.generation] = config.minimize ? min(b, s) : max(b, s) }
            else { best[j.generation] = s }
        }
        return best
    }

    /// The best finished worker-generation over the whole run.
    public func best(_ jobs: [JobView]) -> WorkerResult? { ranked(jobs).first }

    /// The finished worker-generations with a valid score, best first (ties: the later generation,
    /// then the higher worker index, first).
    public func ranked(_ jobs: [JobView]) -> [WorkerResult] {
        jobs.compactMap(result).filter(\.isValid).sorted { a, b in
            if a.score! != b.score! { return config.minimize ? a.score! < b.score! : a.score! > b.score! }
            return (a.generation, a.worker) > (b.generation, b.worker)
        }
    }

    /// What a synchronous server does at generation `g`.
    public enum SyncStep: Equatable, Sendable {
        /// Jobs of the generation are still queued or running.
        case waiting
        /// Every job finished: these decisions and the next generation's jobs.
        case advance(GenerationDecisions, [JobSpec])
        /// The run ends (max generations, no improvement, or every worker failed).
        case stop(StopReason)
    }

    /// Synchronous PBT: barrier on generation `g`, then decide for everyone.
    public func syncStep(generation g: Int, jobs: [JobView]) throws -> SyncStep {
        let current = jobs.filter { $0.generation == g }
        if current.isEmpty || current.contains(where: { $0.status == .queued || $0.status == .claimed }) { return .waiting }
        let results = current.compactMap(result)
        if !results.contains(where: \.isValid) { return .stop(.allFailed) }
        if let reason = config.pbtStoppingRule.shouldStop(generationBests: generationBests(jobs, generations: g + 1),
                                                          completedGenerations: g + 1,
                                                          objective: config.minimize ? .minimize : .maximize) {
            return .stop(reason)
        }
        var rng = PBTRandom(seed: UInt64(bitPattern: Int64(config.seed)), keys: [1, UInt64(g)])
        let decisions = try config.pbtPolicy.decideGeneration(results, using: &rng)
        if decisions.allFailed { return .stop(.allFailed) }
        return .advance(decisions, try decisions.decisions.map(nextJob))
    }

    /// Asynchronous PBT: a decision and next job for every worker that finished a generation and
    /// has no next job yet. `stopping` suppresses new jobs. Workers in `bad` are skipped.
    public func asyncStep(jobs: [JobView], badWorkers: Set<Int>, stopping: Bool) throws -> [(Decision, JobSpec)] {
        if stopping { return [] }
        var latest: [Int: JobView] = [:]
        var has = Set<[Int]>()
        for j in jobs {
            has.insert([j.worker, j.generation])
            if j.status == .done, (latest[j.worker]?.generation ?? -1) < j.generation { latest[j.worker] = j }
        }
        let snapshot = jobs.compactMap(result)
        let othersBusy = jobs.contains { $0.status == .queued || $0.status == .claimed }
        var plan: [(Decision, JobSpec)] = []
        for (w, job) in latest.sorted(by: { $0.key < $1.key }) where !badWorkers.contains(w) {
            let g = job.generation
            guard g + 1 < config.maxGenerations, !has.contains([w, g + 1]), let r = result(of: job) else { continue }
            var rng = PBTRandom(seed: UInt64(bitPattern: Int64(config.seed)), keys: [2, UInt64(w), UInt64(g)])
            let d = try config.pbtPolicy.decideAsync(r, snapshot: snapshot, using: &rng)
            if d.action == .noValidDonor && othersBusy { continue }   // wait for a donor to report
            plan.append((d, try nextJob(after: d)))
        }
        return plan
    }

    /// Async: generations 0..<n that every non-bad worker has finished (for the stopping rule).
    public func completedGenerations(jobs: [JobView], badWorkers: Set<Int>) -> Int {
        var latest: [Int: Int] = [:]
        for j in jobs where j.status == .done { latest[j.worker] = max(latest[j.worker] ?? -1, j.generation) }
        let active = (0..<config.population).filter { !badWorkers.contains($0) }
        return (active.map { latest[$0] ?? -1 }.min() ?? -1) + 1
    }
}

/// What the planner needs of a job row (decoded payload and result).
public struct JobView: Equatable, Sendable {
    public var worker: Int
    public var generation: Int
    public var status: JobStatus
    public var payload: JobPayload?
    public var outcome: JobOutcome?

    public init(worker: Int, generation: Int, status: JobStatus, payload: JobPayload?, outcome: JobOutcome? = nil) {
        self.worker = worker; self.generation = generation; self.status = status
        self.payload = payload; self.outcome = outcome
    }

    /// The run's final step (`JobRecord.isFinalStep`), which the PBT logic never sees.
    public var isFinalStep: Bool { generation < 0 }

    /// Decodes a store row.
    public init(_ r: JobRecord) {
        self.init(worker: r.worker, generation: r.generation, status: r.status,
                  payload: try? r.payload.decode(JobPayload.self), outcome: try? r.result?.decode(JobOutcome.self))
    }
}
