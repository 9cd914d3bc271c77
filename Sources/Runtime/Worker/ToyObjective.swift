import FileSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// State of the toy model: θ ∈ R^d, carried between generations through checkpoints.
public struct ToyState: Codable, Equatable, Sendable {
    public var theta: [Double]
    public var epochs: Int
}

/// The built-in `toy` objective (after Jaderberg et al. 2017, Fig. 2): θ starts at 0.9 in every
/// coordinate; each epoch is a gradient step on the surrogate Σ hᵢθᵢ², where hᵢ is the i-th
/// hyperparameter normalised to [0, 1] over its configured range. The score is the true
/// objective |θ|² (minimise) or 1.2 − |θ|² (maximise). Deterministic; state lives in checkpoints.
public enum ToyObjective {
    /// Normalised hyperparameters in search-space order.
    public static func normalised(_ hps: [String: Double], space: [HyperparameterConfig]) -> [Double] {
        space.map { h in
            let v = hps[h.name] ?? 0
            let lo = h.values?.min() ?? h.min ?? 0, hi = h.values?.max() ?? h.max ?? 1
            guard hi > lo else { return 0 }
            if h.space == .log, lo > 0, v > 0 { return Swift.min(1, Swift.max(0, log(v / lo) / log(hi / lo))) }
            return Swift.min(1, Swift.max(0, (v - lo) / (hi - lo)))
        }
    }

    /// A fresh model.
    public static func initial(dimension: Int) -> ToyState { ToyState(theta: Array(repeating: 0.9, count: max(1, dimension)), epochs: 0) }

    /// One epoch of training.
    public static func step(_ s: inout ToyState, h: [Double], step: Double) {
        for i in s.theta.indices { s.theta[i] -= step * 2 * (i < h.count ? h[i] : 0) * s.theta[i] }
        s.epochs += 1
    }

    /// The score of a state.
    public static func score(_ s: ToyState, minimize: Bool) -> Double {
        let sq = s.theta.reduce(0) { $0 + $1 * $1 }
        return minimize ? sq : 1.2 - sq
    }
}

/// One generation of the toy objective for `WorkerRunner.train`, with the fault injection its tests use.
struct ToyGeneration: WorkerObjective {
    let job: WorkerJob
    let started: Date
    var state: ToyState
    let metricsColumns = ["epoch", "score", "seconds"]
    let scoreTag = "pbt/score"
    var totalEpochs: Int { state.epochs }

    /// `started`: when the job began (the `seconds` column counts from it).
    init(job: WorkerJob, started: Date, log: (String) -> Void) throws {
        let toy = job.config.toy
        if toy.crashWorkers.contains(job.worker) || (toy.crashFirstAttemptWorkers.contains(job.worker) && job.attempt == 1) {
            log("toy fault injection: crashing (abort)")
            StandardStreams.flush()
            abort()
        }
        self.job = job; self.started = started
        state = ToyObjective.initial(dimension: job.config.searchSpace.count)
    }

    mutating func load(checkpoint path: String) throws { state = try ToyCheckpoint.read(path) }

    mutating func train(epochs: Int, log: (String) -> Void, onEpoch: (EpochMetrics) -> Void) throws -> (score: Double?, checkpoint: Bool) {
        let cfg = job.config, toy = cfg.toy
        let h = ToyObjective.normalised(job.hps, space: cfg.searchSpace)
        for _ in 0..<epochs {
            let pause = toy.epochSeconds(worker: job.worker)
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
            ToyObjective.step(&state, h: h, step: toy.step)
            let s = ToyObjective.score(state, minimize: cfg.minimize)
            onEpoch(EpochMetrics(epoch: state.epochs, values: ["\(state.epochs)", "\(s)", String(format: "%.3f", Date().timeIntervalSince(started))],
                                 scalars: [("train/score", s)]))
        }
        if toy.nanWorkers.contains(job.worker) { log("toy fault injection: score is NaN"); return (nil, true) }
        return (ToyObjective.score(state, minimize: cfg.minimize), true)
    }

    func save(checkpoint path: String) throws { try ToyCheckpoint.write(state, to: path) }
}
