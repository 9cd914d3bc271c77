/// One trained generation of one worker, with where it started from.
public struct LineageRecord: Codable, Equatable, Sendable {
    public var worker: Int
    public var generation: Int
    /// Worker whose checkpoint this generation started from (nil for generation 0 / no decision).
    public var parent: Int?
    /// Generation of that checkpoint.
    public var parentGeneration: Int?
    public var hyperparameters: Hyperparameters
    public var score: Double?
    public var checkpoint: String
}

/// The family tree of a PBT run, built from results and decisions.
public struct Lineage: Codable, Equatable, Sendable {
    /// Records keyed by worker then generation.
    public private(set) var records: [Int: [Int: LineageRecord]] = [:]
    var decisions: [Int: [Int: Decision]] = [:]

    public init() {}

    /// Builds a lineage from everything a run has stored.
    public init(results: [WorkerResult], decisions: [Decision]) {
        for d in decisions { add(d) }
        for r in results { add(r) }
    }

    /// Adds a decision (made after `d.generation` of `d.worker`).
    public mutating func add(_ d: Decision) {
        decisions[d.worker, default: [:]][d.generation] = d
        relink(worker: d.worker)
    }

    /// Adds a result (worker finished a generation).
    public mutating func add(_ r: WorkerResult) {
        records[r.worker, default: [:]][r.generation] = LineageRecord(
            worker: r.worker, generation: r.generation, parent: nil, parentGeneration: nil,
            hyperparameters: r.hyperparameters, score: r.score, checkpoint: r.checkpoint)
        relink(worker: r.worker)
    }

    /// A record starts from the decision the worker made after its previous generation.
    mutating func relink(worker w: Int) {
        guard var recs = records[w] else { return }
        let ds = decisions[w] ?? [:]
        for g in recs.keys {
            let prev = ds.keys.filter { $0 < g }.max()
            recs[g]!.parent = prev.map { ds[$0]!.parent }
            recs[g]!.parentGeneration = prev.map { ds[$0]!.parentGeneration }
        }
        records[w] = recs
    }

    /// The record of `worker` at `generation`.
    public func record(worker: Int, generation: Int) -> LineageRecord? {
        records[worker]?[generation]
    }

    /// Ancestry of (worker, generation): that record first, then the record whose checkpoint it
    /// started from, and so on back to a root (a generation with no recorded parent).
    public func ancestry(worker: Int, generation: Int) -> [LineageRecord] {
        var chain: [LineageRecord] = []
        var cur = record(worker: worker, generation: generation)
        var seen = Set<[Int]>()
        while let r = cur, seen.insert([r.worker, r.generation]).inserted {
            chain.append(r)
            guard let p = r.parent, let pg = r.parentGeneration else { break }
            cur = record(worker: p, generation: pg)
        }
        return chain
    }

    /// The best valid record over all workers and generations (ties: earliest generation, then lowest worker).
    public func best(objective: Objective) -> LineageRecord? {
        var best: LineageRecord?
        for w in records.keys.sorted() {
            for g in records[w]!.keys.sorted() {
                let r = records[w]![g]!
                guard let s = r.score, s.isFinite else { continue }
                if let b = best {
                    let bs = b.score!
                    if objective.isBetter(s, than: bs)
                        || (s == bs && (r.generation, r.worker) < (b.generation, b.worker)) { best = r }
                } else { best = r }
            }
        }
        return best
    }

    /// Best valid score per generation, in generation order (nil where none is valid):
    /// the input of `StoppingRule`.
    public func generationBests(objective: Objective) -> [Double?] {
        let gens = Set(records.values.flatMap(\.keys))
        guard let maxG = gens.max() else { return [] }
        return (0...maxG).map { g in
            let scores = records.values.compactMap { $0[g]?.score }.filter(\.isFinite)
            return scores.min { objective.isBetter($0, than: $1) }
        }
    }
}
