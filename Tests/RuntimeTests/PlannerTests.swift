import Foundation
import Testing
import Coordination
import PBT
@testable import Runtime

/// The server's pure scheduling logic, on hand-made job rows.
@Suite struct PlannerTests {
    func planner(_ extra: String = "", population: Int = 4, generations: Int = 3) throws -> PopulationPlanner {
        let cfg = try RunConfig.parse(yaml: """
            name: plan
            objective: toy
            storage: /st
            population: \(population)
            epochs_per_generation: 5
            ramp_epochs: 10
            max_generations: \(generations)
            \(extra)
            """, baseDirectory: "/")
        return PopulationPlanner(config: cfg, runID: 1, storage: SharedStorage(rootPath: cfg.storage))
    }

    func done(_ p: PopulationPlanner, _ w: Int, _ g: Int, score: Double?, hps: [String: Double]? = nil) -> JobView {
        let h = hps ?? ["h0": 0.1 * Double(w + 1), "h1": 0.5]
        return JobView(worker: w, generation: g, status: .done,
                       payload: JobPayload(hps: h, epochs: 5, initCheckpoints: [], decision: nil, seed: 0),
                       outcome: JobOutcome(score: score, epochs: 5, totalEpochs: 5 * (g + 1), seconds: 1, startedFrom: nil,
                                           rejectedCheckpoints: [], checkpoint: p.checkpointRef(worker: w, generation: g)))
    }

    @Test func firstGenerationIsSeededAndIncludesTheRamp() throws {
        let p = try planner()
        let hps = try p.initialHyperparameters()
        let again = try p.initialHyperparameters()
        #expect(hps.count == 4 && hps == again)
        #expect(hps.allSatisfy { (0...1).contains($0["h0"]!) && (0...1).contains($0["h1"]!) })
        let job = try p.firstJob(worker: 2, hps: hps[2])
        let payload = try job.payload.decode(JobPayload.self)
        #expect(job.generation == 0 && job.worker == 2 && payload.epochs == 15 && payload.initCheckpoints.isEmpty)
        #expect(p.checkpointRef(worker: 2, generation: 1) == "runs/plan/workers/w002/g001/checkpoint.bin")
    }

    @Test func startAtDefaultsPutsWorkerZeroAtTheModelsValuesClamped() throws {
        let space = """
            search_space:
              lr_init: {min: 1.0e-5, max: 5.0e-3, init: log_uniform}
              dropout_rate: {min: 0.1, max: 0.6, init: uniform}
              cd_rate: {min: 0.01, max: 0.7, init: 0.5}
              kl_co_scale: {min: 1.0e-6, max: 1.0e-4, init: 2.0e-5, explore: false}
            model: {lr_init: 0.002}
            """
        let cfg = try RunConfig.parse(yaml: "name: d\nobjective: lfads\nstorage: /st\npopulation: 4\npbt: {start_at_defaults: true}\n" + space,
                                      baseDirectory: "/")
        let defaults = try LFADSObjective.modelDefaults(cfg)
        #expect(defaults["lr_init"] == 0.002 && defaults["dropout_rate"] == 0.05 && defaults["cd_rate"] == 0.3, "\(defaults)")
        let on = try PopulationPlanner(config: cfg, runID: 1, storage: SharedStorage(rootPath: "/st")).initialHyperparameters(modelDefaults: defaults)
        var offConfig = cfg; offConfig.startAtDefaultsSetting = false
        let off = try PopulationPlanner(config: offConfig, runID: 1, storage: SharedStorage(rootPath: "/st")).initialHyperparameters(modelDefaults: defaults)
        // Worker 0: the model's lr_init; dropout 0.05 clamped up to the range's 0.1; the fixed cd_rate and
        // kl_co_scale stay the space's (0.5, not the model's 0.3; 2e-5, not 1e-5).
        #expect(on[0] == ["lr_init": 0.002, "dropout_rate": 0.1, "cd_rate": 0.5, "kl_co_scale": 2e-5], "\(on[0])")
        #expect(Array(on.dropFirst()) == Array(off.dropFirst()) && on[0] != off[0])
        // On by default, and never in grid mode.
        #expect(try RunConfig.parse(yaml: "name: d\nstorage: /st\n", baseDirectory: "/").startAtDefaults == true)
        var grid = cfg; grid.mode = .grid; grid.population = 4; grid.gridPoints = 2
        grid.searchSpace.removeAll { $0.name != "lr_init" && $0.name != "dropout_rate" }
        let g = try PopulationPlanner(config: grid, runID: 1, storage: SharedStorage(rootPath: "/st")).initialHyperparameters(modelDefaults: defaults)
        #expect(!g.contains { $0["lr_init"] == 0.002 })
    }

    @Test func syncWaitsForTheBarrierThenDecidesDeterministically() throws {
        let p = try planner()
        var jobs = (0..<4).map { done(p, $0, 0, score: Double(4 - $0)) }   // worker 3 best (lowest)
        jobs[1].status = .claimed
        #expect(try p.syncStep(generation: 0, jobs: jobs) == .waiting)
        jobs[1] = done(p, 1, 0, score: 3)
        guard case .advance(let decisions, let next) = try p.syncStep(generation: 0, jobs: jobs) else {
            Issue.record("expected the generation to advance"); return
        }
        #expect(try p.syncStep(generation: 0, jobs: jobs) == .advance(decisions, next))   // a restarted server decides the same
        #expect(decisions.decisions.count == 4 && next.count == 4 && decisions.best?.worker == 3)
        #expect(decisions.decisions.first { $0.worker == 3 }?.action == .keep)   // nobody is strictly better
        for (d, j) in zip(decisions.decisions, next) {
            let payload = try j.payload.decode(JobPayload.self)
            #expect(j.worker == d.worker && j.generation == 1 && payload.epochs == 5 && payload.decision == d)
            #expect(payload.hps == d.newHyperparameters)
            #expect(payload.initCheckpoints.first == p.checkpointRef(worker: d.parent, generation: 0))
            if d.action == .copy { #expect(payload.initCheckpoints.contains(p.checkpointRef(worker: d.worker, generation: 0))) }
        }
    }

    @Test func syncStopsAtMaxGenerationsAndWhenEveryoneFailed() throws {
        let p = try planner(generations: 2)
        let last = (0..<4).flatMap { w in [done(p, w, 0, score: 1), done(p, w, 1, score: 0.5)] }
        #expect(try p.syncStep(generation: 1, jobs: last) == .stop(.maxGenerations(2)))
        let failed = (0..<4).map { w in JobView(worker: w, generation: 0, status: .failed, payload: nil) }
        #expect(try p.syncStep(generation: 0, jobs: failed) == .stop(.allFailed))
        let nan = (0..<4).map { done(p, $0, 0, score: nil) }
        #expect(try p.syncStep(generation: 0, jobs: nan) == .stop(.allFailed))
    }

    @Test func syncStopsWhenImprovementStalls() throws {
        let p = try planner("stopping: {enabled: true, patience: 3, min_change: 1.0e-3}", generations: 20)
        let flat = (0..<4).flatMap { g in (0..<4).map { w in done(p, w, g, score: 1.0 + Double(w)) } }
        guard case .stop(.noImprovement) = try p.syncStep(generation: 3, jobs: flat) else {
            Issue.record("expected the improvement-ratio rule to stop the run"); return
        }
        let improving = (0..<4).flatMap { g in (0..<4).map { w in done(p, w, g, score: 1.0 / Double(g + 1) + Double(w)) } }
        guard case .advance = try p.syncStep(generation: 3, jobs: improving) else { Issue.record("should continue"); return }
    }

    @Test func asyncDecidesPerWorkerWithoutABarrier() throws {
        let p = try planner("pbt: {mode: async}")
        // Worker 0 finishes first with NaN: no donor has reported yet and others still run, so it waits.
        var jobs = [done(p, 0, 0, score: nil)] + (1..<4).map { JobView(worker: $0, generation: 0, status: .claimed, payload: nil) }
        #expect(try p.asyncStep(jobs: jobs, badWorkers: [], stopping: false).isEmpty)
        // Worker 2 reports: it goes on at once (no barrier); worker 0 copies it.
        jobs[2] = done(p, 2, 0, score: 1)
        let plan = try p.asyncStep(jobs: jobs, badWorkers: [], stopping: false)
        #expect(plan.map(\.0.worker) == [0, 2])
        #expect(plan[0].0.action == .copy && plan[0].0.parent == 2 && plan[0].1.generation == 1)
        #expect(plan[1].0.action == .keep && plan[1].1.generation == 1)
        jobs += plan.map { JobView(worker: $0.1.worker, generation: 1, status: .queued, payload: nil) }
        #expect(try p.asyncStep(jobs: jobs, badWorkers: [], stopping: false).isEmpty)   // already scheduled
        jobs[1] = done(p, 1, 0, score: 3)
        #expect(try p.asyncStep(jobs: jobs, badWorkers: [], stopping: true).isEmpty)
        #expect(try p.asyncStep(jobs: jobs, badWorkers: [1], stopping: false).isEmpty)
        #expect(try p.asyncStep(jobs: jobs, badWorkers: [], stopping: false).map(\.0.worker) == [1])
        #expect(p.completedGenerations(jobs: jobs, badWorkers: []) == 0)
        #expect(p.completedGenerations(jobs: jobs, badWorkers: [3]) == 1)
    }

    @Test func bestAndGenerationBestsIgnoreInvalidScores() throws {
        let p = try planner()
        let jobs = [done(p, 0, 0, score: 3), done(p, 1, 0, score: nil), done(p, 0, 1, score: 2), done(p, 1, 1, score: 2.5),
                    JobView(worker: 2, generation: 1, status: .failed, payload: nil)]
        #expect(p.generationBests(jobs, generations: 3) == [3, 2, nil])
        #expect(p.best(jobs)?.worker == 0 && p.best(jobs)?.generation == 1)
    }

    @Test func runLogsAreIdempotent() throws {
        let dir = TestSupport.tempDir("logs")
        let cfg = try RunConfig.parse(yaml: "name: logs\nobjective: toy\nstorage: \(dir)", baseDirectory: dir)
        let p = PopulationPlanner(config: cfg, runID: 1, storage: SharedStorage(rootPath: dir))
        let jobs0 = (0..<3).map { done(p, $0, 0, score: Double($0)) }
        guard case .advance(_, let next) = try p.syncStep(generation: 0, jobs: jobs0) else { Issue.record("advance"); return }
        let jobs = jobs0 + next.map { JobView(worker: $0.worker, generation: 1, status: .queued, payload: try? $0.payload.decode(JobPayload.self)) }
        try RunLogs(storage: p.storage, run: "logs", hpNames: ["h0", "h1"]).update(jobs: jobs, planner: p)
        try RunLogs(storage: p.storage, run: "logs", hpNames: ["h0", "h1"]).update(jobs: jobs, planner: p)   // a restarted server
        let decisions = try CSVLog.read(try p.storage.decisionsCSV(run: "logs"))
        let hp = try CSVLog.read(try p.storage.hpLogCSV(run: "logs"))
        #expect(decisions.count == 1 + 3 && decisions[0] == RunLogs.decisionHeader)
        #expect(hp.count == 1 + 3 && hp[0] == ["generation", "worker", "h0", "h1", "score"])
        #expect(hp[1] == ["0", "0", "0.1", "0.5", "0.0"])
    }
}
