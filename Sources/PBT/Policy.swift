/// How losers are chosen and whom they copy.
public enum ExploitStrategy: Codable, Equatable, Sendable {
    /// pbt_opt / autolfads-tf2: each worker draws one random other valid worker and copies it
    /// if that one is strictly better (or its own score is invalid); otherwise keeps, unexplored.
    case binaryTournament
    /// Valid workers ranked; the bottom ⌈f·n⌉ (at most ⌊n/2⌋) copy a random member of the top ⌈f·n⌉.
    case truncation(fraction: Double)
    /// lfads-torch `BinaryTournamentPBT`: valid workers shuffled and paired (first half with last
    /// half; odd one out keeps); the strictly worse of each pair copies the better. In async
    /// decisions this behaves as `binaryTournament`.
    case pairedTournament
}

/// The complete, Codable PBT decision policy (no state: all randomness comes from the caller's RNG).
public struct PBTPolicy: Codable, Equatable, Sendable {
    public var space: SearchSpace
    public var objective: Objective
    public var exploit: ExploitStrategy
    /// Per-HP probability of resampling instead of perturbing when exploring (pbt_opt `sample_prob`
    /// applies only when its `resample` explore is chosen; lfads-torch uses 0).
    public var resampleProbability: Double
    /// Perturbation redraws before clipping (lfads-torch / tf2: 99).
    public var maxPerturbTries: Int
    /// Async only: a donor is eligible if its latest completed generation ≥ own generation − maxLag.
    public var asyncMaxLag: Int
    /// PBT, or a baseline (random / grid search) whose decisions always keep (`SearchMethod`).
    public var method: SearchMethod

    public init(space: SearchSpace, objective: Objective = .minimize,
                exploit: ExploitStrategy = .binaryTournament, resampleProbability: Double = 0,
                maxPerturbTries: Int = 99, asyncMaxLag: Int = 0, method: SearchMethod = .pbt) {
        self.space = space; self.objective = objective; self.exploit = exploit
        self.resampleProbability = resampleProbability; self.maxPerturbTries = maxPerturbTries
        self.asyncMaxLag = asyncMaxLag; self.method = method
    }

    /// Throws a `PBTError` naming the first invalid setting.
    public func validate() throws {
        try space.validate()
        if case .truncation(let f) = exploit, !(f >= 0 && f <= 0.5) {
            throw PBTError.invalidConfig("truncation fraction must be in [0, 0.5] (got \(f))")
        }
        if !(resampleProbability >= 0 && resampleProbability <= 1) {
            throw PBTError.invalidConfig("resample probability must be in [0, 1] (got \(resampleProbability))")
        }
        if maxPerturbTries < 1 {
            throw PBTError.invalidConfig("max perturb tries must be ≥ 1 (got \(maxPerturbTries))")
        }
        if asyncMaxLag < 0 {
            throw PBTError.invalidConfig("async max lag must be ≥ 0 (got \(asyncMaxLag))")
        }
        if case .grid(let p?) = method, p < 2 {
            throw PBTError.invalidConfig("grid points must be ≥ 2 (got \(p))")
        }
    }

    /// Explores `hps` with this policy's settings.
    public func explore(_ hps: Hyperparameters, using rng: inout PBTRandom) -> Hyperparameters {
        space.explore(hps, resampleProbability: resampleProbability, maxTries: maxPerturbTries, using: &rng)
    }

    /// A copy decision: `r` continues from `donor`'s checkpoint with the donor's HPs, explored.
    func copy(_ r: WorkerResult, from donor: WorkerResult, using rng: inout PBTRandom) -> Decision {
        Decision(worker: r.worker, generation: r.generation, action: .copy, parent: donor.worker,
                 parentGeneration: donor.generation, parentCheckpoint: donor.checkpoint,
                 oldHyperparameters: r.hyperparameters,
                 newHyperparameters: explore(donor.hyperparameters, using: &rng),
                 score: r.score, parentScore: donor.score)
    }

    /// Valid results ranked best first; ties broken by worker id.
    func ranked(_ rs: [WorkerResult]) -> [WorkerResult] {
        rs.filter(\.isValid).sorted {
            let (a, b) = ($0.score!, $1.score!)
            if a == b { return $0.worker < $1.worker }
            return objective.isBetter(a, than: b)
        }
    }

    /// Truncation size k = min(⌈f·n⌉, ⌊n/2⌋) for n valid workers.
    static func truncationCount(_ f: Double, _ n: Int) -> Int {
        min(Int((f * Double(n)).rounded(.up)), n / 2)
    }
}
