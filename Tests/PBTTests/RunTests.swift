import Foundation
import Testing
@testable import PBT

@Suite struct RunTests {
    let policy = PBTPolicy(space: oneHP, objective: .minimize)

    /// One generation of results for the run's current HPs; `score` maps (worker, x) to a score.
    func results(_ run: PBTRun, _ score: (Int, Double) -> Double?) -> [WorkerResult] {
        (0..<run.workers).map { w in
            let g = run.completed[w]
            return WorkerResult(worker: w, generation: g, hyperparameters: run.hyperparameters[w],
                                score: score(w, run.hyperparameters[w]["x"] ?? 0), checkpoint: "g\(g)_w\(w)")
        }
    }

    @Test func syncRunStopsAtMaxGenerationsAndRefusesMore() throws {
        var run = try PBTRun(policy: policy, stopping: StoppingRule(maxGenerations: 4, window: 0),
                             workers: 6, seed: 1)
        for g in 0..<4 {
            let step = try run.completeGeneration(results(run) { _, x in abs(x - 3) })
            #expect(step.decisions.count == 6 && step.decisions.allSatisfy { $0.generation == g })
            #expect(step.stop == (g == 3 ? .maxGenerations(4) : nil))
        }
        #expect(throws: PBTError.self) { try run.completeGeneration(results(run) { _, x in x }) }
        #expect(run.lineage.ancestry(worker: 0, generation: 3).count == 4)
        let best = run.lineage.best(objective: .minimize)!
        #expect(best.score == run.lineage.generationBests(objective: .minimize).compactMap { $0 }.min())
    }

    @Test func flatScoresStopOnTheImprovementRatio() throws {
        var run = try PBTRun(policy: policy, stopping: StoppingRule(maxGenerations: 50), workers: 4, seed: 2)
        var stop: StopReason?
        var gens = 0
        while stop == nil {
            stop = try run.completeGeneration(results(run) { w, _ in 1.0 + Double(w) }).stop
            gens += 1
        }
        #expect(gens == 5 && stop == .noImprovement(ratio: 0))
    }

    @Test func allFailedGenerationStopsTheRun() throws {
        var run = try PBTRun(policy: policy, workers: 3, seed: 3)
        let step = try run.completeGeneration(results(run) { _, _ in .nan })
        #expect(step.stop == .allFailed)
        #expect(step.decisions.allSatisfy { $0.action == .noValidDonor })
    }

    @Test func wrongInputsAreRejected() throws {
        var run = try PBTRun(policy: policy, workers: 3, seed: 3)
        #expect(throws: PBTError.self) { try run.completeGeneration(Array(results(run) { _, x in x }.prefix(2))) }
        var r = results(run) { _, x in x }
        r[1].generation = 5
        #expect(throws: PBTError.self) { try run.completeGeneration(r) }
        #expect(throws: PBTError.self) { try run.complete(r[1]) }
        #expect(throws: PBTError.self) { try PBTRun(policy: policy, workers: 0, seed: 1) }
    }

    @Test func persistedRunResumesExactly() throws {
        var run = try PBTRun(policy: PBTPolicy(space: .lfadsTorchNLB), workers: 8, seed: 4)
        let score: (Int, Double) -> Double? = { w, _ in w == 5 ? nil : Double((w * 3) % 8) }
        for _ in 0..<2 { _ = try run.completeGeneration(results(run, score)) }
        var resumed = try JSONDecoder().decode(PBTRun.self, from: JSONEncoder().encode(run))
        #expect(resumed == run)
        for _ in 0..<3 {
            let a = try run.completeGeneration(results(run, score))
            let b = try resumed.completeGeneration(results(resumed, score))
            #expect(a == b)
        }
    }

    @Test func asyncRunWithUnevenWorkers() throws {
        var run = try PBTRun(policy: policy, stopping: StoppingRule(maxGenerations: 3, window: 0),
                             workers: 3, seed: 5)
        // worker 2 is twice as slow: order of reports
        let order = [0, 1, 0, 1, 2, 0, 1, 2, 2]
        var last: PBTStep?
        for (i, w) in order.enumerated() {
            let g = run.completed[w]
            let r = WorkerResult(worker: w, generation: g, hyperparameters: run.hyperparameters[w],
                                 score: Double(3 - w) + Double(g), checkpoint: "g\(g)_w\(w)")
            last = try run.complete(r)
            #expect(last!.decisions.count == 1)
            if let d = last!.decisions.first, d.action == .copy { #expect(d.parentGeneration >= g) }
            #expect((last!.stop != nil) == (i == order.count - 1))
        }
        #expect(last?.stop == .maxGenerations(3))
        #expect(run.completed == [3, 3, 3])
    }
}
