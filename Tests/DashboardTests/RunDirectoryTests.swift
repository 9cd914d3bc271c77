import Foundation
import Testing
@testable import Dashboard

@Test func fixtureRunDirectoryReadsBackCompletely() throws {
    let (dir, snap) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    #expect(snap.results.count == 6 * 4)
    #expect(snap.decisions.count == 6 * 3)
    #expect(snap.metrics.count == 6 * 4)
    #expect(snap.workers.map(\.worker) == Array(0..<6))
    // worker 5 failed in generation 1: NaN in hp_log → nil score, and it had to copy afterwards
    #expect(snap.results.first { $0.worker == 5 && $0.generation == 1 }?.score == nil)
    let d = try #require(snap.decisions.first { $0.worker == 5 && $0.generation == 1 })
    #expect(d.action == "copy" && d.parent != 5)
    let lastCopy = try #require(snap.decisions.filter { $0.worker == 5 && $0.action == "copy" }.max { $0.generation < $1.generation })
    #expect(snap.workers[5].parent == lastCopy.parent)
    #expect(snap.results.allSatisfy { ($0.hps["kl_co_scale"] ?? 0) > 0 && $0.seconds != nil && $0.finishedAt != nil })
    #expect(snap.metrics[0].columns.contains("valid_recon_smth") && snap.metrics[0].rows.count == 5)
    #expect(snap.run.logScaledHPs.contains("kl_co_scale") && !snap.run.logScaledHPs.contains("dropout_rate"))
}

@Test func csvTableDropsATornFinalLineAndHandlesQuotes() {
    let t = CSVTable(text: "a,b,c\n1,\"x,y\",3\n4,5,6\n7,8")
    #expect(t.header == ["a", "b", "c"])
    #expect(t.rows == [["1", "x,y", "3"], ["4", "5", "6"]])
    #expect(CSVTable.number("nan") == nil && CSVTable.number(" 2.5") == 2.5)
    #expect(CSVTable.hps("lr=0.004;kl_co=1e-05") == ["lr": 0.004, "kl_co": 1e-5])
}

@Test func summaryMatchesAnIndependentComputation() throws {
    let (dir, snap) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    let gens = RunSummary.generations(snap)
    #expect(gens.map(\.generation) == [0, 1, 2, 3])
    for g in gens {
        let scores = snap.results.filter { $0.generation == g.generation }.compactMap(\.score).sorted()
        #expect(g.best == scores.first)
        let mid = scores.count % 2 == 1 ? scores[scores.count / 2] : (scores[scores.count / 2 - 1] + scores[scores.count / 2]) / 2
        #expect(g.median == mid)
        #expect(g.copies == snap.decisions.filter { $0.generation == g.generation && $0.action == "copy" }.count)
    }
    #expect(gens[1].failed == 1)
    // result.json mtimes were set 120 s apart per generation → durations of 120 s
    #expect(gens.dropFirst().allSatisfy { abs(($0.duration ?? 0) - 120) < 1e-6 })
    let o = RunSummary.overview(snap)
    #expect(o.completedGenerations == 4)
    #expect(o.bestScore == snap.results.compactMap(\.score).min())
    #expect(abs((o.etaSeconds ?? 0) - 4 * 120) < 1e-6)   // maxGenerations 8, 4 done, 120 s each
    #expect(o.aliveProcesses == 2 && o.busyProcesses == 1)
}

@Test func decisionSummaryCountsActionsAndDrift() {
    let ds = [DecisionRow(generation: 0, worker: 0, action: "keep", parent: 0, parentGeneration: 0, score: 1, parentScore: 1,
                          oldHPs: ["lr": 1], newHPs: ["lr": 1]),
              DecisionRow(generation: 0, worker: 1, action: "copy", parent: 0, parentGeneration: 0, score: 2, parentScore: 1,
                          oldHPs: ["lr": 1], newHPs: ["lr": 1.3]),
              DecisionRow(generation: 0, worker: 2, action: "copy", parent: 0, parentGeneration: 0, score: 3, parentScore: 1,
                          oldHPs: ["lr": 2], newHPs: ["lr": 1.6])]
    let s = DecisionSummary.byGeneration(ds)
    #expect(s.count == 1 && s[0].keeps == 1 && s[0].copies == 2 && s[0].noDonor == 0)
    #expect(abs(s[0].medianDrift["lr"]! - 1.05) < 1e-12)   // copies only: (1.3 + 0.8) / 2
}

@Test func metricsCacheReparsesOnlyChangedFiles() async throws {
    let (dir, _) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    let source = RunDirectorySource(directory: dir)
    let first = try await source.snapshot(now: Date())
    #expect(source.reader.cache?.count == 24)
    let url = source.reader.generationDirectory(worker: 2, generation: 3).appendingPathComponent("metrics.csv")
    let h = try FileHandle(forWritingTo: url)
    h.seekToEndOfFile(); h.write(Data("21,0.1,0.2,0.15,0.004,130\n".utf8)); try h.close()
    let second = try await source.snapshot(now: Date())
    let before = try #require(first.metrics.first { $0.worker == 2 && $0.generation == 3 })
    let after = try #require(second.metrics.first { $0.worker == 2 && $0.generation == 3 })
    #expect(after.rows.count == before.rows.count + 1 && after.column("valid_recon_smth")?.last == 0.15)
    #expect(second.metrics.filter { $0.worker != 2 || $0.generation != 3 } == first.metrics.filter { $0.worker != 2 || $0.generation != 3 })
}

@Test func generationsCompleteWithoutAWorkerMarkedBad() {
    // w2 failed at generation 0 and was marked bad: generations 1 and 2 are complete with w0 and w1.
    let rows = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0)].map { g, w in
        ResultRow(generation: g, worker: w, hps: [:], score: g == 0 && w == 2 ? nil : 1.0 / Double(g + 1))
    }
    let workers = (0..<3).map { WorkerRow(worker: $0, generation: $0 == 2 ? 0 : 3, status: $0 == 2 ? .bad : .ok, score: nil, hps: [:]) }
    var s = RunSnapshot(run: RunInfo(name: "r", status: .running, generation: 3, maxGenerations: 5, population: 3),
                        workers: workers, results: rows, takenAt: Date())
    #expect(RunSummary.overview(s).completedGenerations == 3, "generation 3 still waits for w1")
    s.workers[2].status = .ok
    #expect(RunSummary.overview(s).completedGenerations == 1, "a worker that is not bad is still awaited")
}
