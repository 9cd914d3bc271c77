import Testing
@testable import PBT

@Suite struct SimulationTests {
    @Test func equalDurationsFillEverySlotInBothModes() throws {
        let c = UtilizationSimulation.Config(workers: 8, slots: 2, generations: 5, jitter: 0, slowFraction: 0)
        let (s, a) = try UtilizationSimulation.compare(c)
        #expect(abs(s.utilization - 1) < 1e-12 && abs(a.utilization - 1) < 1e-12)
        #expect(abs(s.makespan - 20) < 1e-9 && abs(a.makespan - 20) < 1e-9)
    }

    @Test func oneSlotPerWorkerMatchesClosedForms() throws {
        let c = UtilizationSimulation.Config(workers: 4, slots: 4, generations: 6, seed: 9)
        let d = try UtilizationSimulation.durations(c)
        let (s, a) = try UtilizationSimulation.compare(c)
        let syncTime = (0..<6).map { g in d.map { $0[g] }.max()! }.reduce(0, +)
        let asyncTime = d.map { $0.reduce(0, +) }.max()!
        #expect(abs(s.makespan - syncTime) < 1e-9)
        #expect(abs(a.makespan - asyncTime) < 1e-9)
        #expect(abs(s.busy - a.busy) < 1e-9)
        #expect(a.utilization > s.utilization)
    }

    @Test func asyncUsesSlotsBetterWithHeterogeneousWorkers() throws {
        var su = 0.0, au = 0.0, sf = 0.0, af = 0.0
        for seed in 1...10 as ClosedRange<UInt64> {
            let (s, a) = try UtilizationSimulation.compare(.init(workers: 8, slots: 3, generations: 10, seed: seed))
            #expect(a.utilization > 0 && a.utilization <= 1 + 1e-12 && s.utilization <= 1 + 1e-12)
            su += s.utilization; au += a.utilization; sf += s.meanFinish; af += a.meanFinish
        }
        #expect(au > su + 0.02)
        #expect(af < sf)
    }

    @Test func badConfigIsRejected() {
        #expect(throws: PBTError.self) { try UtilizationSimulation.compare(.init(slots: 0)) }
        #expect(throws: PBTError.self) { try UtilizationSimulation.compare(.init(jitter: 1.5)) }
    }
}
