import ArgumentParser
import PBT

/// `autolfads bench pbt-sim`: slot utilisation of synchronous vs asynchronous PBT (discrete-event
/// simulation) and the decision latency of one synchronous generation.
struct PBTSimBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pbt-sim",
        abstract: "Simulate slot utilisation of sync vs async PBT and time PBT decisions."
    )

    @Option(help: "Population size.") var workers = 8
    @Option(help: "Training slots (GPUs × processes per GPU).") var slots = 2
    @Option(help: "Generations each worker trains.") var generations = 10
    @Option(help: "Per-generation duration jitter: mean × U(1−j, 1+j).") var jitter = 0.3
    @Option(help: "Fraction of workers that are slower.") var slowFraction = 0.25
    @Option(help: "How much slower they are.") var slowFactor = 1.5
    @Option(help: "Seed of the duration draws.") var seed: UInt64 = 1
    @Option(help: "Population size for the decision-latency measurement.") var latencyWorkers = 100

    func run() throws {
        let config = UtilizationSimulation.Config(
            workers: workers, slots: slots, generations: generations, jitter: jitter,
            slowFraction: slowFraction, slowFactor: slowFactor, seed: seed)
        let sync: UtilizationSimulation.Outcome, async: UtilizationSimulation.Outcome
        do { (sync, async) = try UtilizationSimulation.compare(config) }
        catch let e as PBTError { throw ValidationError(e.description) }

        print("PBT utilisation simulation: \(workers) workers, \(slots) slots, \(generations) generations, "
              + "jitter ±\(Int(jitter * 100))%, \(Int((slowFraction * 100).rounded()))% of workers ×\(slowFactor) slower")
        print(row("mode", "utilisation", "makespan", "mean finish"))
        print(row("sync", pct(sync.utilization), fmt(sync.makespan), fmt(sync.meanFinish)))
        print(row("async", pct(async.utilization), fmt(async.makespan), fmt(async.meanFinish)))
        print("async/sync: utilisation ×\(fmt(async.utilization / sync.utilization)), "
              + "makespan ×\(fmt(async.makespan / sync.makespan)), mean finish ×\(fmt(async.meanFinish / sync.meanFinish))")

        guard latencyWorkers >= 2 else { throw ValidationError("--latency-workers must be ≥ 2 (got \(latencyWorkers))") }
        let base = max(2, latencyWorkers / 10)
        let tBase = try medianDecisionTime(workers: base)
        let tBig = try medianDecisionTime(workers: latencyWorkers)
        print("decision latency, one synchronous generation (binary tournament, NLB space, median of 51):")
        print("  \(base) workers: \(fmt(tBase * 1e6)) µs (baseline)")
        print("  \(latencyWorkers) workers: \(fmt(tBig * 1e6)) µs  = ×\(fmt(tBig / tBase)) the baseline "
              + "for ×\(fmt(Double(latencyWorkers) / Double(base))) the workers")
    }

    /// Median wall time (seconds) of `decideGeneration` for `workers` scored workers.
    func medianDecisionTime(workers: Int) throws -> Double {
        let (policy, results) = try PBTBenchmarkInputs.generation(workers: workers)
        let clock = ContinuousClock()
        var times: [Double] = []
        var copies = 0
        for rep in 0..<51 {
            var rng = PBTRandom(seed: UInt64(rep))
            let start = clock.now
            let out = try policy.decideGeneration(results, using: &rng)
            let d = clock.now - start
            copies += out.decisions.filter { $0.action == .copy }.count
            times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        precondition(copies > 0, "benchmark generation made no copies")
        return times.sorted()[times.count / 2]
    }

    func fmt(_ x: Double) -> String {
        let r = (x * 1000).rounded() / 1000
        return "\(r)"
    }
    func pct(_ x: Double) -> String { "\((x * 1000).rounded() / 10)%" }
    func row(_ a: String, _ b: String, _ c: String, _ d: String) -> String {
        [a, b, c, d].map { $0.padding(14) }.joined()
    }
}

private extension String {
    func padding(_ n: Int) -> String { count >= n ? self + " " : self + String(repeating: " ", count: n - count) }
}
