/// The decisions of one synchronous generation.
public struct GenerationDecisions: Codable, Equatable, Sendable {
    public var generation: Int
    /// One decision per worker, in worker-id order.
    public var decisions: [Decision]
    /// True when no worker had a valid score (every decision is `noValidDonor`).
    public var allFailed: Bool
    /// The best valid result of this generation, if any.
    public var best: WorkerResult?
}

extension PBTPolicy {
    /// Synchronous PBT step (barrier: every worker of `generation` has a result).
    ///
    /// Decisions are made against the end-of-generation snapshot (a copy never sees another
    /// worker's new HPs). Invalid workers (nil/NaN/∞ score) always copy a valid worker;
    /// RNG draws happen in worker-id order, so equal seeds give equal decisions. With a baseline
    /// `method` (random / grid search) every decision is `keep`, failed workers included (they have
    /// no donor by design), and the RNG is not used; `allFailed` still reports an all-failed generation.
    public func decideGeneration(_ results: [WorkerResult],
                                 using rng: inout PBTRandom) throws -> GenerationDecisions {
        try validate()
        guard let g = results.first?.generation else {
            throw PBTError.invalidPopulation("no worker results to decide on")
        }
        if let r = results.first(where: { $0.generation != g }) {
            throw PBTError.invalidPopulation(
                "worker \(r.worker) reports generation \(r.generation) but the step is for \(g); send one generation at a time")
        }
        let rs = results.sorted { $0.worker < $1.worker }
        for i in rs.indices.dropFirst() where rs[i].worker == rs[i - 1].worker {
            throw PBTError.invalidPopulation("worker \(rs[i].worker) appears twice in generation \(g)")
        }
        let ranked = ranked(rs)
        guard !ranked.isEmpty else {
            return GenerationDecisions(generation: g, decisions: rs.map { .stay($0, .noValidDonor) },
                                       allFailed: true, best: nil)
        }
        if !method.exploits {   // random / grid search: every worker goes on with its own checkpoint and HPs
            return GenerationDecisions(generation: g, decisions: rs.map { .stay($0) }, allFailed: false, best: ranked.first)
        }
        let decisions: [Decision]
        switch exploit {
        case .binaryTournament:
            var position: [Int: Int] = [:]
            for (i, d) in ranked.enumerated() { position[d.worker] = i }
            decisions = rs.map { r in tournament(r, donors: ranked, excluding: position[r.worker], using: &rng) }
        case .truncation(let f):
            decisions = truncation(rs, ranked: ranked, fraction: f, using: &rng)
        case .pairedTournament:
            decisions = paired(rs, ranked: ranked, using: &rng)
        }
        return GenerationDecisions(generation: g, decisions: decisions, allFailed: false, best: ranked.first)
    }

    /// Binary tournament against one uniformly random valid donor from `donors`, skipping
    /// index `excluding` (the worker itself, if present) without copying the array.
    func tournament(_ r: WorkerResult, donors: [WorkerResult], excluding: Int? = nil,
                    using rng: inout PBTRandom) -> Decision {
        let n = donors.count - (excluding == nil ? 0 : 1)
        guard n > 0 else { return .stay(r, r.isValid ? .keep : .noValidDonor) }
        var i = rng.index(n)
        if let e = excluding, i >= e { i += 1 }
        let d = donors[i]
        if !r.isValid || objective.isBetter(d.score!, than: r.score!) {
            return copy(r, from: d, using: &rng)
        }
        return .stay(r)
    }

    func truncation(_ rs: [WorkerResult], ranked: [WorkerResult], fraction f: Double,
                    using rng: inout PBTRandom) -> [Decision] {
        let k = Self.truncationCount(f, ranked.count)
        let top = Array(ranked.prefix(max(k, 1)))
        let bottom = Set(ranked.suffix(k).map(\.worker))
        return rs.map { r in
            if !r.isValid || bottom.contains(r.worker) {
                return copy(r, from: top[rng.index(top.count)], using: &rng)
            }
            return .stay(r)
        }
    }

    func paired(_ rs: [WorkerResult], ranked: [WorkerResult], using rng: inout PBTRandom) -> [Decision] {
        var order = ranked.sorted { $0.worker < $1.worker }
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, rng.index(i + 1))
        }
        let half = order.count / 2
        var winnerOf: [Int: WorkerResult] = [:]
        for i in 0..<half {
            let (a, b) = (order[i], order[order.count - half + i])
            if objective.isBetter(a.score!, than: b.score!) { winnerOf[b.worker] = a }
            else if objective.isBetter(b.score!, than: a.score!) { winnerOf[a.worker] = b }
        }
        return rs.map { r in
            if !r.isValid { return copy(r, from: ranked[rng.index(ranked.count)], using: &rng) }
            if let w = winnerOf[r.worker] { return copy(r, from: w, using: &rng) }
            return .stay(r)
        }
    }
}
