import Foundation
import Testing
@testable import LFADSModel

@Suite struct ScheduleTests {
    @Test func rampMatchesHandComputedValues() {
        // start 2, increase 3: epochs 0..6 → 0, 0, 1/4, 2/4, 3/4, 1, 1
        let r = (0..<7).map { rampWeight(epoch: $0, start: 2, increase: 3) }
        #expect(r == [0, 0, 0.25, 0.5, 0.75, 1, 1])
        #expect(rampWeight(epoch: 0, start: 0, increase: 0) == 1)
        #expect(rampWeight(epoch: 0, start: 0, increase: 80) == 1.0 / 81)
    }

    @Test func smoothingFollowsRecursion() {
        var s = SmoothedMetric()
        #expect(s.update(10) == 10)
        #expect(abs(s.update(0) - 3) < 1e-12)          // 0.3·10
        #expect(abs(s.update(1) - (0.9 + 0.7)) < 1e-12) // 0.3·3 + 0.7·1
    }

    @Test func plateauReducesAfterPatienceAndFloors() {
        var p = PlateauSchedule(lr: 1, factor: 0.5, patience: 2, minLR: 0.2)
        let metrics: [Double] = [5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3]
        var lrs: [Double] = []
        for m in metrics { p.step(metric: m); lrs.append(p.lr) }
        // best 4 at epoch 1; epochs 2,3 bad (2 ≤ patience), epoch 4 third bad → 0.5
        // epoch 5 new best 3; 6,7 bad; 8 → 0.25; 9,10 bad; 11 → 0.2 (floor); 12 bad (1)
        #expect(lrs == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2])
        #expect(p.exhausted)
        var off = PlateauSchedule(lr: 1, factor: 1, patience: 0, minLR: 0.5)
        for _ in 0..<10 { off.step(metric: 1) }
        #expect(off.lr == 1 && !off.exhausted)
    }

    @Test func earlyStoppingWaitsForBurnIn() {
        var e = EarlyStopping(patience: 2, burnInEpoch: 3)
        let metrics: [Double] = [3, 2, 5, 5, 5, 5, 5]
        let stops = metrics.enumerated().map { e.update(epoch: $0.offset, metric: $0.element) }
        // epochs 0–2 are inside the ramps and never count (epoch 1's 2 is not a best); 3 is the first best,
        // 4 waits 1, 5 waits 2 → stop
        #expect(stops == [false, false, false, false, false, true, true])
        #expect(e.bestEpoch == 3 && e.best == 5 && e.hasBest)
        var fresh = EarlyStopping(patience: 2, burnInEpoch: 3)
        _ = fresh.update(epoch: 0, metric: 1)
        #expect(!fresh.hasBest && fresh.bestEpoch == -1)
    }

    /// A checkpoint written before the rule may carry a best from inside the ramps: it is dropped at the
    /// first epoch past them, and the waiting starts again from there.
    @Test func bestFromInsideTheRampsIsDroppedOnResume() throws {
        let legacy = #"{"patience":2,"burnInEpoch":3,"best":0.5,"bestEpoch":1,"waited":1}"#
        var old = try JSONDecoder().decode(EarlyStopping.self, from: Data(legacy.utf8))
        #expect(!old.hasBest)
        let stop = old.update(epoch: 3, metric: 0.9)
        #expect(!stop)
        #expect(old.bestEpoch == 3 && old.best == 0.9 && old.waited == 0)
    }
}
