import Foundation
import Testing
@testable import PBT

/// Random and grid search: the same run machinery as PBT, no exploit or explore ever.
@Suite struct BaselineSearchTests {
    static let space = SearchSpace([
        HyperparameterSpec(name: "lr", min: 1e-4, max: 1e-2, initMode: .logUniform, perturbation: 0.8),
        HyperparameterSpec(name: "dropout", min: 0, max: 0.6, initMode: .uniform),
        HyperparameterSpec(name: "cd", min: 0.01, max: 0.7, initMode: .fixed(0.5)),
    ])

    /// Scores where the worst workers would copy under PBT (worker 0 far better than everyone).
    func results(_ run: PBTRun, generation g: Int, failing: Set<Int> = []) -> [WorkerResult] {
        (0..<run.workers).map { w in
            WorkerResult(worker: w, generation: g, hyperparameters: run.hyperparameters[w],
                         score: failing.contains(w) ? .nan : Double(w * w) + 0.1 * Double(g), checkpoint: "g\(g)_w\(w)")
        }
    }

    @Test(arguments: [SearchMethod.random, .grid(points: 2)])
    func syncBaselineNeverExploitsAndKeepsTheInitialHPs(method: SearchMethod) throws {
        for exploit in [ExploitStrategy.binaryTournament, .truncation(fraction: 0.5), .pairedTournament] {
            let policy = PBTPolicy(space: Self.space, exploit: exploit, resampleProbability: 1, method: method)
            var run = try PBTRun(policy: policy, stopping: StoppingRule(maxGenerations: 6, window: 100), workers: 8, seed: 5)
            let initial = run.hyperparameters
            for g in 0..<6 {
                let step = try run.completeGeneration(results(run, generation: g, failing: g == 2 ? [3] : []))
                #expect(step.decisions.count == 8)
                #expect(step.decisions.allSatisfy { $0.action == .keep && $0.parent == $0.worker && $0.parentGeneration == g })
                #expect(step.decisions.allSatisfy { $0.newHyperparameters == $0.oldHyperparameters })
            }
            #expect(run.hyperparameters == initial, "\(method) \(exploit)")
            #expect(run.stopReason == .maxGenerations(6))
        }
    }

    @Test func asyncBaselineNeverExploits() throws {
        let policy = PBTPolicy(space: Self.space, exploit: .truncation(fraction: 0.5), method: .random)
        var run = try PBTRun(policy: policy, stopping: StoppingRule(maxGenerations: 4, window: 100), workers: 4, seed: 9)
        let initial = run.hyperparameters
        for g in 0..<4 {
            for w in [3, 1, 0, 2] {   // the worst worker reports first, with every better one known
                let r = WorkerResult(worker: w, generation: g, hyperparameters: run.hyperparameters[w],
                                     score: w == 1 && g == 1 ? nil : Double(w), checkpoint: "g\(g)_w\(w)")
                let step = try run.complete(r)
                #expect(step.decisions.map(\.action) == [.keep])
            }
        }
        #expect(run.hyperparameters == initial && run.stopReason == .maxGenerations(4))
        // Every generation continued the worker's own checkpoint.
        let records = run.lineage.records.values.flatMap(\.values)
        #expect(records.count == 16 && records.allSatisfy { $0.parent == nil || $0.parent == $0.worker })
    }

    @Test func randomSearchDrawsThePBTInitialPopulation() throws {
        let pbt = try PBTRun(policy: PBTPolicy(space: Self.space), workers: 6, seed: 11)
        let random = try PBTRun(policy: PBTPolicy(space: Self.space, method: .random), workers: 6, seed: 11)
        #expect(pbt.hyperparameters == random.hyperparameters)
    }

    @Test func allFailedStillStopsABaselineRun() throws {
        var run = try PBTRun(policy: PBTPolicy(space: Self.space, method: .random), workers: 3, seed: 1)
        let step = try run.completeGeneration(results(run, generation: 0, failing: [0, 1, 2]))
        #expect(step.stop == .allFailed)
    }

    @Test func gridValuesFollowTheRule() throws {
        let axes = try Self.space.gridAxes(workers: 9, points: 3)
        #expect(axes.map(\.name) == ["lr", "dropout", "cd"])
        let lr = axes[0].values, dropout = axes[1].values
        #expect(lr.count == 3 && lr[0] == 1e-4 && lr[2] == 1e-2 && abs(lr[1] - 1e-3) < 1e-15)   // log-spaced
        #expect(dropout == [0, 0.3, 0.6])                                                       // linear
        #expect(axes[2].values == [0.5])                                                        // fixed: one value
        let pop = try Self.space.gridPopulation(workers: 9, points: 3)
        // Every (lr, dropout) pair exactly once; the first HP varies slowest.
        #expect(Set(pop.map { [$0["lr"]!, $0["dropout"]!] }).count == 9)
        #expect(pop[0]["lr"] == 1e-4 && pop[0]["dropout"] == 0 && pop[1]["dropout"] == 0.3 && pop[3]["lr"] == lr[1])
        #expect(pop.allSatisfy { $0["cd"] == 0.5 })
    }

    @Test func gridRepeatsPointsAndDerivesThePointCount() throws {
        // 8 workers, 2 ranged HPs, no points given: k = 2 (2² = 4 ≤ 8 < 3² = 9), each point twice.
        let pop = try Self.space.gridPopulation(workers: 8, points: nil)
        #expect(Set(pop.map { [$0["lr"]!, $0["dropout"]!] }).count == 4)
        #expect(Array(pop[0..<4]) == Array(pop[4..<8]))
        // A list HP contributes all its values.
        var s = Self.space
        s.hyperparameters[2] = HyperparameterSpec(name: "cd", min: 0.1, max: 0.5, values: [0.1, 0.3, 0.5], initMode: .choice)
        let axes = try s.gridAxes(workers: 12, points: 2)
        #expect(axes[2].values == [0.1, 0.3, 0.5])
        let policy = PBTPolicy(space: s, method: .grid(points: 2))
        var rng = PBTRandom(seed: 1)
        #expect(Set(try policy.initialPopulation(workers: 12, using: &rng)).count == 12)
    }

    @Test func populationsThatDoNotFitTheGridAreErrors() throws {
        #expect(throws: PBTError.invalidPopulation("the grid has 9 points (3 values for each of lr, dropout) and does not divide the population 10 evenly; use population 9 or a multiple of it (18, 27, …), or change the grid points")) {
            try Self.space.gridPopulation(workers: 10, points: 3)
        }
        #expect(throws: PBTError.self) { try Self.space.gridPopulation(workers: 3, points: nil) }   // needs ≥ 4
        #expect(throws: PBTError.self) { try Self.space.gridPopulation(workers: 4, points: 3) }    // 9 > 4
        #expect(throws: PBTError.self) { try Self.space.gridPopulation(workers: 4, points: 1) }
    }

    @Test func methodRoundTripsThroughJSON() throws {
        for m in [SearchMethod.pbt, .random, .grid(points: nil), .grid(points: 4)] {
            let p = PBTPolicy(space: Self.space, method: m)
            let back = try JSONDecoder().decode(PBTPolicy.self, from: JSONEncoder().encode(p))
            #expect(back == p)
        }
        let old = #"{"space": [{"name": "x", "min": 0, "max": 1, "init": "uniform"}]}"#
        #expect(try JSONDecoder().decode(PBTPolicy.self, from: Data(old.utf8)).method == .pbt)
    }
}
