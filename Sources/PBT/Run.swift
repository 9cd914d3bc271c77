/// The outcome of feeding one generation (sync) or one worker's result (async) to a `PBTRun`.
public struct PBTStep: Codable, Equatable, Sendable {
    /// Decisions made by this step (all workers for sync, one for async).
    public var decisions: [Decision]
    /// Set when the run is over; the runtime stops scheduling and picks `lineage.best`.
    public var stop: StopReason?
}

/// A whole PBT run as a pure, Codable state machine: the population's current HPs, the RNG
/// state, the lineage and the stopping rule. A server persists it (JSON) after every step and
/// resumes exactly; it never does I/O itself.
public struct PBTRun: Codable, Equatable, Sendable {
    public let policy: PBTPolicy
    public let stopping: StoppingRule
    public let workers: Int
    /// Current HPs per worker (index = worker id): what each worker trains with next.
    public private(set) var hyperparameters: [Hyperparameters]
    /// Completed generations per worker.
    public private(set) var completed: [Int]
    public private(set) var rng: PBTRandom
    public private(set) var lineage: Lineage
    public private(set) var stopReason: StopReason?

    /// Draws the initial population (workers 0..<workers) from `seed` (the grid, for grid search).
    public init(policy: PBTPolicy, stopping: StoppingRule = StoppingRule(), workers: Int, seed: UInt64) throws {
        try policy.validate()
        if stopping.maxGenerations < 1 {
            throw PBTError.invalidConfig("max generations must be ≥ 1 (got \(stopping.maxGenerations))")
        }
        var rng = PBTRandom(seed: seed)
        self.policy = policy; self.stopping = stopping; self.workers = workers
        hyperparameters = try policy.initialPopulation(workers: workers, using: &rng)
        completed = Array(repeating: 0, count: workers)
        self.rng = rng
        lineage = Lineage()
    }

    /// Synchronous step: results of every worker for generation `completed[0]` (all equal).
    public mutating func completeGeneration(_ results: [WorkerResult]) throws -> PBTStep {
        try checkRunning()
        let g = completed.min()!
        guard completed.allSatisfy({ $0 == g }) else {
            throw PBTError.invalidPopulation("workers are at different generations; use complete(_:) for async runs")
        }
        guard Set(results.map(\.worker)) == Set(0..<workers), results.count == workers else {
            throw PBTError.invalidPopulation("generation \(g) needs exactly one result per worker 0..<\(workers)")
        }
        let results = results.map(assigned)
        let out = try policy.decideGeneration(results, using: &rng)
        if out.decisions.first?.generation != g {
            throw PBTError.invalidPopulation("results are for generation \(results[0].generation), expected \(g)")
        }
        for r in results { lineage.add(r) }
        for d in out.decisions { lineage.add(d); hyperparameters[d.worker] = d.newHyperparameters }
        completed = completed.map { $0 + 1 }
        stopReason = out.allFailed ? .allFailed : checkStop()
        return PBTStep(decisions: out.decisions, stop: stopReason)
    }

    /// Asynchronous step: one worker finished generation `completed[worker]`. Judged against the
    /// latest result of every other worker (see `PBTPolicy.decideAsync`). The ratio stop rule
    /// only looks at generations every worker has completed.
    public mutating func complete(_ result: WorkerResult) throws -> PBTStep {
        try checkRunning()
        guard (0..<workers).contains(result.worker) else {
            throw PBTError.invalidPopulation("worker \(result.worker) is not in 0..<\(workers)")
        }
        guard result.generation == completed[result.worker] else {
            throw PBTError.invalidPopulation(
                "worker \(result.worker) reported generation \(result.generation), expected \(completed[result.worker])")
        }
        let result = assigned(result)
        let snapshot = (0..<workers).compactMap { w -> WorkerResult? in
            guard w != result.worker, completed[w] > 0,
                  let r = lineage.record(worker: w, generation: completed[w] - 1) else { return nil }
            return WorkerResult(worker: w, generation: r.generation, hyperparameters: r.hyperparameters,
                                score: r.score, checkpoint: r.checkpoint)
        }
        let d = try policy.decideAsync(result, snapshot: snapshot, using: &rng)
        lineage.add(result)
        lineage.add(d)
        hyperparameters[result.worker] = d.newHyperparameters
        completed[result.worker] += 1
        // All failed: every worker has reported and every latest score is invalid.
        let everyoneFailed = !result.isValid && snapshot.count == workers - 1 && snapshot.allSatisfy { !$0.isValid }
        stopReason = everyoneFailed ? .allFailed : checkStop()
        return PBTStep(decisions: [d], stop: stopReason)
    }

    func checkRunning() throws {
        if let s = stopReason { throw PBTError.invalidConfig("the run has already stopped (\(s)); start a new run") }
    }

    /// The run is the source of truth for HPs: a result's HPs are replaced by the assigned ones
    /// (so a lossy round trip through a database cannot change decisions).
    func assigned(_ r: WorkerResult) -> WorkerResult {
        var r = r
        r.hyperparameters = hyperparameters[r.worker]
        return r
    }

    /// Ratio rule over generations all workers completed; max generations on the slowest worker.
    func checkStop() -> StopReason? {
        let done = completed.min()!
        let bests = Array(lineage.generationBests(objective: policy.objective).prefix(done))
        return stopping.shouldStop(generationBests: bests, completedGenerations: done, objective: policy.objective)
    }
}
