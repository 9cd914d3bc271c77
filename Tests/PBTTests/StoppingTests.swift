import Testing
@testable import PBT

@Suite struct StoppingTests {
    let rule = StoppingRule(maxGenerations: 20, window: 5, minChange: 5e-4)

    func stop(_ bests: [Double?], _ obj: Objective = .minimize, done: Int = 6) -> StopReason? {
        rule.shouldStop(generationBests: bests, completedGenerations: done, objective: obj)
    }

    @Test func steadyImprovementContinues() {
        #expect(stop([10, 9, 8, 7, 6]) == nil)
        #expect(rule.improvementRatio(generationBests: [10, 9, 8, 7, 6], objective: .minimize) == 0.5)
        #expect(stop([1, 2, 3, 4, 5], .maximize) == nil)
    }

    @Test func flatHistoryStops() {
        #expect(stop([5, 5, 5, 5, 5]) == .noImprovement(ratio: 0))
        #expect(stop([0, 0, 0, 0, 0]) == .noImprovement(ratio: 0))
        #expect(stop([5, 5, 5, 5]) == nil)  // fewer than N bests: never stops on the ratio
    }

    @Test func tinyImprovementStopsAndSmallButRealDoesNot() {
        let tiny: [Double?] = [1.0, 0.9999, 0.9998, 0.9997, 0.9996]  // ratio ≈ 4.0e-4
        if case .noImprovement(let r)? = stop(tiny) { #expect(abs(r - 0.0004 / 0.9998) < 1e-9) }
        else { Issue.record("expected a stop") }
        #expect(stop([1.0, 0.999, 0.998, 0.997, 0.996]) == nil)  // ratio ≈ 4e-3
        #expect(stop([1.0, 1.0001, 1.0002, 1.0003, 1.0004], .maximize) != nil)
        #expect(stop([1.0, 1.001, 1.002, 1.003, 1.004], .maximize) == nil)
    }

    @Test func onlyTheLastWindowMattersAfterAPlateau() {
        // Fast early progress, then five flat bests: max over all equals the window start.
        #expect(stop([10, 8, 6, 5, 5, 5, 5, 5]) != nil)
        // A worse generation inside the window does not count as progress.
        #expect(stop([10, 8, 5, 5.2, 5.1, 5.05, 5.0]) != nil)
    }

    @Test func generationsWithoutValidScoresAreSkipped() {
        #expect(stop([nil, 5, nil, 5, 5, .nan, 5, 5]) != nil)
        #expect(stop([nil, 5, nil, 5, 5]) == nil)
    }

    @Test func maxGenerationsStops() {
        #expect(stop([10, 9], done: 20) == .maxGenerations(20))
        #expect(stop([10, 9], done: 19) == nil)
        let noRatio = StoppingRule(maxGenerations: 3, window: 0)
        #expect(noRatio.shouldStop(generationBests: [1, 1, 1, 1, 1, 1], completedGenerations: 2,
                                   objective: .minimize) == nil)
    }
}
