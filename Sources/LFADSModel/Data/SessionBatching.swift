extension Batching {
    /// Session-balanced batches of one epoch for a stitched model (lfads-torch's per-session
    /// loaders with `max_size_cycle`): every step takes `perSession` trials from each session
    /// (all of a session's trials when it has fewer). The epoch has as many steps as the session
    /// with the most full batches; a session that runs out starts over with a fresh shuffle.
    /// - Returns: steps × sessions × trial indices.
    public static func sessionBatches<R: RandomNumberGenerator>(trials: [Int], perSession: Int, rng: inout R) -> [[[Int]]] {
        precondition(trials.allSatisfy { $0 > 0 } && perSession > 0, "every session needs trials")
        let lists = trials.map { epochBatches(trials: $0, batchSize: perSession, rng: &rng) }
        let steps = lists.map(\.count).max() ?? 0
        var out = [[[Int]]](repeating: [], count: steps)
        for (s, first) in lists.enumerated() {
            var pool = first
            while pool.count < steps { pool += epochBatches(trials: trials[s], batchSize: perSession, rng: &rng) }
            for k in 0..<steps { out[k].append(pool[k]) }
        }
        return out
    }
}
