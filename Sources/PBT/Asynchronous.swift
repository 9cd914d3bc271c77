extension PBTPolicy {
    /// Asynchronous PBT: decides for `result`'s worker as soon as it finishes a generation,
    /// with no barrier, against `snapshot` (any known results of other workers; entries of the
    /// worker itself are ignored).
    ///
    /// Rule: each other worker is represented by its most recent completed generation in the
    /// snapshot. It is an eligible donor only if that score is valid and its generation is
    /// ≥ `result.generation − asyncMaxLag` (default lag 0: the donor has trained at least as
    /// long as this worker, so scores compare like with like and a copy never moves a worker
    /// back in training time). Tournament and paired strategies draw one random eligible donor;
    /// truncation ranks this worker among the eligible donors. An invalid worker copies any
    /// eligible donor; with none, the decision is `noValidDonor` (retry once others report).
    /// With a baseline `method` (random / grid search) the decision is always `keep`.
    public func decideAsync(_ result: WorkerResult, snapshot: [WorkerResult],
                            using rng: inout PBTRandom) throws -> Decision {
        try validate()
        if !method.exploits { return .stay(result) }
        var latest: [Int: WorkerResult] = [:]
        for s in snapshot where s.worker != result.worker {
            if let cur = latest[s.worker], cur.generation >= s.generation { continue }
            latest[s.worker] = s
        }
        let minGen = result.generation - asyncMaxLag
        let donors = ranked(latest.values.filter { $0.generation >= minGen })
        switch exploit {
        case .binaryTournament, .pairedTournament:
            return tournament(result, donors: donors.sorted { $0.worker < $1.worker }, using: &rng)
        case .truncation(let f):
            guard !donors.isEmpty else { return .stay(result, result.isValid ? .keep : .noValidDonor) }
            let pool = ranked(donors + [result])
            let k = Self.truncationCount(f, pool.count)
            let top = Array(pool.prefix(max(k, 1)))
            let inBottom = pool.suffix(k).contains { $0.worker == result.worker }
            if !result.isValid || inBottom {
                return copy(result, from: top[rng.index(top.count)], using: &rng)
            }
            return .stay(result)
        }
    }
}
