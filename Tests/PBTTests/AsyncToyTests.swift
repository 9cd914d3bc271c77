import Testing
@testable import PBT

/// The toy problem run asynchronously: four workers at different speeds (odd workers take two
/// ticks per step), each deciding with `decideAsync` whenever it finishes `ready` own steps,
/// against the latest results of the others. No barrier anywhere.
enum AsyncToy {
    static func run(pbt: Bool, seed: UInt64, ticks: Int = 200) throws -> Double {
        let policy = PBTPolicy(space: ToyPBT.space, objective: .maximize, resampleProbability: 0.25)
        var decide = PBTRandom(seed: seed, keys: [1])
        var train = PBTRandom(seed: seed, keys: [2])
        var theta = Array(repeating: [0.9, 0.9], count: 4)
        var h: [Hyperparameters] = (0..<4).map { $0 % 2 == 0 ? ["h0": 1, "h1": 0] : ["h0": 0, "h1": 1] }
        var steps = [Int](repeating: 0, count: 4), gen = [Int](repeating: 0, count: 4)
        var latest: [Int: WorkerResult] = [:]
        var store: [String: [Double]] = [:]
        for tick in 1...ticks {
            for w in 0..<4 where tick % (1 + w % 2) == 0 {
                let hv = [h[w]["h0"]!, h[w]["h1"]!]
                for k in 0..<2 {
                    theta[w][k] += -ToyPBT.eta * 2 * hv[k] * theta[w][k] + ToyPBT.noise * train.normal()
                }
                steps[w] += 1
                guard pbt, steps[w] % ToyPBT.ready == 0 else { continue }
                let ref = "\(w)/\(gen[w])"
                store[ref] = theta[w]
                let r = WorkerResult(worker: w, generation: gen[w], hyperparameters: h[w],
                                     score: ToyPBT.q(theta[w]), checkpoint: ref)
                latest[w] = r
                let d = try policy.decideAsync(r, snapshot: Array(latest.values), using: &decide)
                #expect(d.action != .copy || d.parentGeneration >= gen[w])  // never copies an older generation
                theta[w] = store[d.parentCheckpoint]!
                h[w] = d.newHyperparameters
                gen[w] += 1
            }
        }
        return theta.map(ToyPBT.q).max()!
    }
}

@Suite struct AsyncToyTests {
    @Test func asyncPBTBeatsNoPBTOnTheToyProblem() throws {
        let seeds = 0..<10 as Range<UInt64>
        let pbt = try seeds.map { try AsyncToy.run(pbt: true, seed: $0) }.reduce(0, +) / 10
        let none = try seeds.map { try AsyncToy.run(pbt: false, seed: $0) }.reduce(0, +) / 10
        print("async toy mean final Q over 10 seeds: async PBT \(pbt), no PBT \(none)")
        #expect(pbt > none + 0.2)
    }
}
