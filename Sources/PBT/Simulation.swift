/// Discrete-event model of slot utilisation for synchronous vs asynchronous PBT (no threads, no clock).
public enum UtilizationSimulation {
    /// Population, slots and the distribution of generation durations.
    public struct Config: Codable, Equatable, Sendable {
        public var workers: Int
        /// Training slots (e.g. GPUs × processes per GPU).
        public var slots: Int
        public var generations: Int
        /// Mean duration of one generation of a normal worker (arbitrary time unit).
        public var meanDuration: Double
        /// Each generation's duration is mean × U(1 − jitter, 1 + jitter).
        public var jitter: Double
        /// Fraction of workers (the first ⌈f·W⌉ after a seeded shuffle) that are slower…
        public var slowFraction: Double
        /// …by this factor (e.g. larger HPs, a busier node).
        public var slowFactor: Double
        public var seed: UInt64

        public init(workers: Int = 8, slots: Int = 2, generations: Int = 10, meanDuration: Double = 1,
                    jitter: Double = 0.3, slowFraction: Double = 0.25, slowFactor: Double = 1.5,
                    seed: UInt64 = 1) {
            self.workers = workers; self.slots = slots; self.generations = generations
            self.meanDuration = meanDuration; self.jitter = jitter; self.slowFraction = slowFraction
            self.slowFactor = slowFactor; self.seed = seed
        }

        /// Throws `PBTError.invalidConfig` naming the first bad field.
        public func validate() throws {
            if workers < 1 { throw PBTError.invalidConfig("simulation needs workers ≥ 1 (got \(workers))") }
            if slots < 1 { throw PBTError.invalidConfig("simulation needs slots ≥ 1 (got \(slots))") }
            if generations < 1 { throw PBTError.invalidConfig("simulation needs generations ≥ 1 (got \(generations))") }
            if !(meanDuration > 0) { throw PBTError.invalidConfig("mean duration must be > 0") }
            if !(jitter >= 0 && jitter < 1) { throw PBTError.invalidConfig("jitter must be in [0, 1) (got \(jitter))") }
            if !(slowFraction >= 0 && slowFraction <= 1) { throw PBTError.invalidConfig("slow fraction must be in [0, 1]") }
            if !(slowFactor > 0) { throw PBTError.invalidConfig("slow factor must be > 0") }
        }
    }

    /// Timing of one schedule.
    public struct Outcome: Codable, Equatable, Sendable {
        /// Time when the last worker finishes its last generation.
        public var makespan: Double
        /// Mean over workers of the time its last generation ends.
        public var meanFinish: Double
        /// Slot-time spent training.
        public var busy: Double
        /// busy / (slots × makespan).
        public var utilization: Double
    }

    /// Generation durations, [worker][generation], drawn from the config's seed.
    public static func durations(_ c: Config) throws -> [[Double]] {
        try c.validate()
        var rng = PBTRandom(seed: c.seed)
        var order = Array(0..<c.workers)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.index(i + 1)) }
        let nSlow = Int((c.slowFraction * Double(c.workers)).rounded(.up))
        let slow = Set(order.prefix(nSlow))
        return (0..<c.workers).map { w in
            (0..<c.generations).map { _ in
                c.meanDuration * (slow.contains(w) ? c.slowFactor : 1) * rng.uniform(1 - c.jitter, 1 + c.jitter)
            }
        }
    }

    /// Synchronous PBT: every generation waits for all workers (barrier); within a generation,
    /// workers take the earliest free slot in worker order.
    public static func synchronous(durations d: [[Double]], slots: Int) -> Outcome {
        var t = 0.0, busy = 0.0
        var finish = Array(repeating: 0.0, count: d.count)
        let gens = d.first?.count ?? 0
        for g in 0..<gens {
            var free = Array(repeating: t, count: slots)
            for w in d.indices {
                let s = free.indices.min { free[$0] < free[$1] }!
                free[s] += d[w][g]
                busy += d[w][g]
                finish[w] = free[s]
            }
            t = free.max()!
        }
        return outcome(makespan: t, finish: finish, busy: busy, slots: slots)
    }

    /// Asynchronous PBT: a worker is ready for its next generation as soon as its previous one
    /// ends (the decision takes no time); a free slot takes the earliest-ready job (FIFO).
    public static func asynchronous(durations d: [[Double]], slots: Int) -> Outcome {
        var free = Array(repeating: 0.0, count: slots)
        var pending = d.indices.map { (worker: $0, gen: 0, ready: 0.0) }
        var finish = Array(repeating: 0.0, count: d.count)
        var busy = 0.0
        let gens = d.first?.count ?? 0
        while !pending.isEmpty {
            let s = free.indices.min { free[$0] < free[$1] }!
            let j = pending.indices.min {
                (pending[$0].ready, pending[$0].worker) < (pending[$1].ready, pending[$1].worker)
            }!
            let job = pending.remove(at: j)
            let end = max(free[s], job.ready) + d[job.worker][job.gen]
            free[s] = end
            busy += d[job.worker][job.gen]
            if job.gen + 1 < gens {
                pending.append((job.worker, job.gen + 1, end))
            } else {
                finish[job.worker] = end
            }
        }
        return outcome(makespan: finish.max() ?? 0, finish: finish, busy: busy, slots: slots)
    }

    static func outcome(makespan: Double, finish: [Double], busy: Double, slots: Int) -> Outcome {
        Outcome(makespan: makespan, meanFinish: finish.reduce(0, +) / Double(max(finish.count, 1)),
                busy: busy, utilization: makespan > 0 ? busy / (Double(slots) * makespan) : 0)
    }

    /// Both schedules over the same drawn durations.
    public static func compare(_ c: Config) throws -> (sync: Outcome, async: Outcome) {
        let d = try durations(c)
        return (synchronous(durations: d, slots: c.slots), asynchronous(durations: d, slots: c.slots))
    }
}

/// Inputs for timing decision latency (the timing itself is done by the caller, e.g. the CLI).
public enum PBTBenchmarkInputs {
    /// A policy over the NLB space and one generation of `workers` scored results (some failed).
    public static func generation(workers: Int, seed: UInt64 = 7) throws -> (PBTPolicy, [WorkerResult]) {
        let policy = PBTPolicy(space: .lfadsTorchNLB)
        var rng = PBTRandom(seed: seed)
        let hps = try policy.space.initialPopulation(workers: workers, using: &rng)
        let results = hps.enumerated().map { w, h in
            WorkerResult(worker: w, generation: 3, hyperparameters: h,
                         score: w % 17 == 5 ? .nan : 0.1 + rng.unit(), checkpoint: "g003_w\(w)")
        }
        return (policy, results)
    }
}
