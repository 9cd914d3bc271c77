import Testing
@testable import PBT

func copyDecision(_ w: Int, gen: Int, from p: Int, parentGen: Int) -> Decision {
    Decision(worker: w, generation: gen, action: .copy, parent: p, parentGeneration: parentGen,
             parentCheckpoint: "g\(parentGen)_w\(p)", oldHyperparameters: [:], newHyperparameters: [:],
             score: nil, parentScore: nil)
}

@Suite struct LineageTests {
    @Test func ancestryFollowsCopiesBackToTheRoot() {
        let rs = [result(0, 3, gen: 0), result(1, 1, gen: 0), result(2, 2, gen: 0),
                  result(0, 0.5, gen: 1), result(1, 0.9, gen: 1), result(2, 2, gen: 1),
                  result(0, 0.4, gen: 2), result(1, 0.3, gen: 2), result(2, 0.6, gen: 2)]
        let ds = [copyDecision(0, gen: 0, from: 1, parentGen: 0), .stay(rs[1]), .stay(rs[2]),
                  .stay(rs[3]), copyDecision(1, gen: 1, from: 0, parentGen: 1),
                  copyDecision(2, gen: 1, from: 0, parentGen: 1)]
        // order of insertion must not matter
        let lin = Lineage(results: rs.reversed(), decisions: ds.reversed())
        func path(_ w: Int, _ g: Int) -> [[Int]] { lin.ancestry(worker: w, generation: g).map { [$0.worker, $0.generation] } }
        #expect(path(1, 2) == [[1, 2], [0, 1], [1, 0]])
        #expect(path(2, 2) == [[2, 2], [0, 1], [1, 0]])
        #expect(path(0, 2) == [[0, 2], [0, 1], [1, 0]])
        #expect(path(2, 1) == [[2, 1], [2, 0]])
        #expect(lin.record(worker: 1, generation: 2)?.parent == 0)
        #expect(lin.best(objective: .minimize).map { [$0.worker, $0.generation] } == [1, 2])
        #expect(lin.best(objective: .maximize).map { [$0.worker, $0.generation] } == [0, 0])
        #expect(lin.generationBests(objective: .minimize) == [1, 0.5, 0.3])
    }

    @Test func lineageOfARealSynchronousRunIsConsistent() throws {
        let p = PBTPolicy(space: oneHP, objective: .minimize)
        var r = PBTRandom(seed: 21)
        var hps = try oneHP.initialPopulation(workers: 6, using: &r)
        var lin = Lineage()
        for g in 0..<5 {
            let rs = hps.enumerated().map { w, h in
                WorkerResult(worker: w, generation: g, hyperparameters: h,
                             score: w == 2 && g == 1 ? .nan : abs(h["x"]! - 3), checkpoint: "g\(g)_w\(w)")
            }
            rs.forEach { lin.add($0) }
            let out = try p.decideGeneration(rs, using: &r)
            out.decisions.forEach { lin.add($0) }
            hps = out.decisions.map(\.newHyperparameters)
        }
        for w in 0..<6 {
            let chain = lin.ancestry(worker: w, generation: 4)
            #expect(chain.count == 5)
            #expect(chain.map(\.generation) == [4, 3, 2, 1, 0])
            #expect(chain.last?.parent == nil)
        }
        #expect(lin.record(worker: 2, generation: 2)?.parent != 2)  // failed at g1 → copied
        let best = lin.best(objective: .minimize)!
        let all = (0..<6).flatMap { w in (0..<5).compactMap { lin.record(worker: w, generation: $0)?.score } }
        #expect(best.score == all.filter(\.isFinite).min())
    }
}
