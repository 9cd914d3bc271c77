import Testing
@testable import PBT

@Suite struct AsyncTests {
    let p = PBTPolicy(space: oneHP, objective: .minimize)

    @Test func usesLatestScoreOfEachOtherWorkerAndIgnoresStaleOnes() throws {
        let me = result(0, 5, gen: 2)
        let snapshot = [result(1, 0.01, gen: 0), result(1, 1, gen: 2), result(2, 0.1, gen: 1),
                        result(0, 0.001, gen: 1)]  // own older entry: ignored
        for seed in 0..<20 as Range<UInt64> {
            var r = PBTRandom(seed: seed)
            let d = try p.decideAsync(me, snapshot: snapshot, using: &r)
            #expect(d.action == .copy && d.parent == 1 && d.parentGeneration == 2)
            #expect(d.parentCheckpoint == "g2_w1" && d.parentScore == 1)
        }
    }

    @Test func maxLagAdmitsSlightlyOlderDonors() throws {
        let lagged = PBTPolicy(space: oneHP, objective: .minimize, asyncMaxLag: 1)
        let me = result(0, 5, gen: 2)
        let snapshot = [result(1, 1, gen: 2), result(2, 0.1, gen: 1), result(3, 0.05, gen: 0)]
        var parents = Set<Int>()
        for seed in 0..<40 as Range<UInt64> {
            var r = PBTRandom(seed: seed)
            parents.insert(try lagged.decideAsync(me, snapshot: snapshot, using: &r).parent)
        }
        #expect(parents == [1, 2])
    }

    @Test func donorsAheadAreEligibleAndWorseDonorsAreNotCopied() throws {
        var r = PBTRandom(seed: 3)
        let d = try p.decideAsync(result(0, 5, gen: 1), snapshot: [result(1, 9, gen: 4)], using: &r)
        #expect(d.action == .keep && d.parent == 0 && d.newHyperparameters == d.oldHyperparameters)
        let e = try p.decideAsync(result(0, 5, gen: 1), snapshot: [result(1, 2, gen: 4)], using: &r)
        #expect(e.action == .copy && e.parentGeneration == 4)
    }

    @Test func firstFinisherKeepsAndFailedFirstFinisherWaits() throws {
        var r = PBTRandom(seed: 3)
        let others = [result(1, 0.1, gen: 0), result(2, 0.2, gen: 0)]
        #expect(try p.decideAsync(result(0, 5, gen: 1), snapshot: others, using: &r).action == .keep)
        #expect(try p.decideAsync(result(0, .nan, gen: 1), snapshot: others, using: &r).action == .noValidDonor)
        let d = try p.decideAsync(result(0, .nan, gen: 0), snapshot: others, using: &r)
        #expect(d.action == .copy && [1, 2].contains(d.parent))
    }

    @Test func asyncTruncationRanksAgainstEligibleDonors() throws {
        let t = PBTPolicy(space: oneHP, objective: .minimize, exploit: .truncation(fraction: 0.25))
        let others = (1..<8).map { result($0, Double($0), gen: 3) }  // scores 1…7
        var r = PBTRandom(seed: 4)
        let worst = try t.decideAsync(result(0, 100, gen: 3), snapshot: others, using: &r)
        #expect(worst.action == .copy && [1, 2].contains(worst.parent))
        let middle = try t.decideAsync(result(0, 4.5, gen: 3), snapshot: others, using: &r)
        #expect(middle.action == .keep)
    }

    @Test func asyncIsDeterministicPerSeed() throws {
        let others = (1..<10).map { result($0, Double($0 % 4), gen: 2) }
        func run(_ s: UInt64) throws -> [Decision] {
            var r = PBTRandom(seed: s)
            return try (0..<20).map { _ in try p.decideAsync(result(0, 2.5, gen: 2), snapshot: others, using: &r) }
        }
        #expect(try run(1) == run(1))
        #expect(try run(1) != run(2))
    }
}
