import Foundation
import FileSystem
import Coordination
import PBT

/// The PBT server: creates or resumes a run in the store, schedules one job per worker-generation,
/// reaps dead processes, applies PBT decisions (sync barrier or async) and finishes the run.
/// It never trains. All state lives in the store, so a killed server resumes where it was.
public final class PBTServer {
    public let store: any CoordinationStore
    public let storage: SharedStorage
    public private(set) var config: RunConfig
    let log: (String) -> Void
    /// Whether the run ends with the final step (posterior outputs of the best model into `best/`): a job
    /// the server enqueues and waits for, which a client of the run claims like any training job.
    public var runsFinalStep = false
    /// Seconds between polls of the store.
    public var pollInterval: Double = 0.05

    public init(config: RunConfig, store: any CoordinationStore, log: @escaping (String) -> Void = { print($0) }) {
        self.config = config; self.store = DeadlineStore(store, seconds: 20); self.log = log
        self.storage = SharedStorage(rootPath: config.storage)
    }

    /// The summary of a finished run.
    public struct Summary: Codable, Equatable, Sendable {
        public var run: String
        public var status: String
        public var stopReason: String
        public var generations: Int
        public var bestWorker: Int?
        public var bestGeneration: Int?
        public var bestScore: Double?
        public var bestHyperparameters: [String: Double]?
        public var bestDirectory: String
        /// Why the best model's outputs could not be written (nil when they were, or not attempted).
        public var finalStepError: String?
    }

    private var opened = false
    /// Set when `prepareNewRun` already resolved the data and ran the preflight for this config.
    public var preflightDone = false
    /// Events up to this id happened before this server opened the run (e.g. a disk-full release the
    /// user has since fixed); later ones are acted on.
    private var eventCursor: Int64 = 0

    /// Creates the run (or resumes it) and returns its record; the stored config wins on resume.
    public func openRun() async throws -> RunRecord {
        if opened, let r = try await store.run(named: config.name) { return r }
        opened = true
        if var existing = try await store.run(named: config.name) {
            eventCursor = try await latestEventID(run: existing.id)   // a new run has no earlier events
            var merged = try StoredRunConfig.load(existing, current: config)
            merged.storage = config.storage   // storage may be mounted elsewhere on this machine
            var given = config   // no `data:` given means the bundled data, which the stored config has resolved
            if given.data == nil { given.data = merged.data; given.sessionData = merged.sessionData }
            let changed = merged.differences(from: given)
            if !changed.isEmpty {
                log("note: run '\(config.name)' exists; resuming it with its stored config, which wins over the given one (differs in \(changed.prefix(6).joined(separator: "; "))\(changed.count > 6 ? "; …" : "")); start a run with a new name to use the new settings")
            }
            config = merged
            try writeResolvedConfig()
            if existing.status == .created { try await store.setRunStatus(existing.id, .running, now: Date()); existing.status = .running }
            log("resuming run '\(config.name)' at generation \(existing.generation) (status \(existing.status.rawValue))")
            return existing
        }
        if !preflightDone {
            try BundledData.resolve(&config, log: log)
            try RunPreflight.check(config)
        }
        do {
            let r = try await store.createRun(name: config.name, config: try JSONDocument(encoding: config), now: Date())
            try writeResolvedConfig()
            log("created run '\(config.name)': \(config.population) workers, \(config.maxGenerations) generations, \(config.mode.label), objective \(config.objective.rawValue)")
            return r
        } catch let e as StoreError {
            if case .runExists = e, let r = try await store.run(named: config.name) {   // a racing server created it
                eventCursor = try await latestEventID(run: r.id)
                return r
            }
            throw e
        }
    }

    /// Writes the run's effective config to `runs/<name>/run.resolved.yaml` (atomically).
    func writeResolvedConfig() throws {
        let dir = try storage.runDirectory(config.name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(RunConfig.resolvedFileName)
        try AtomicFile.write(Data(try config.resolvedYAML().utf8), to: url)
    }

    /// Runs the population to the end; returns the summary (also written to `best/summary.json`).
    public func run() async throws -> Summary {
        var run = try await openRun()
        let planner = PopulationPlanner(config: config, runID: run.id, storage: storage)
        let logs = RunLogs(storage: storage, run: config.name, hpNames: config.searchSpace.map(\.name))
        if run.status == .done || run.status == .failed {
            guard try await reopenIfFinalStepFailed() else {
                return try summarize(run: run, planner: planner, jobs: views(try await store.jobs(run: run.id, generation: nil)).filter { !$0.isFinalStep },
                                     reason: "already finished")
            }
            run.status = .running
        }
        // Once the final step was enqueued the population is settled: a restarted server (or a rerun that
        // retries a failed step) goes straight back to it, never into PBT again (an async run would
        // otherwise re-check its stopping rule on more generations and could plan new ones).
        if let reason = try await finalStepStopReason(run: run) {
            return try await finish(run: run, planner: planner, reason: reason, failed: false)
        }
        if run.status != .running { try await store.setRunStatus(run.id, .running, now: Date()); run.status = .running }
        try await ensureFirstGeneration(run: run, planner: planner)

        var stopping = false
        var lastProgress = ""
        var failingSince: Date?
        while true {
          do {
            let now = Date()
            try await reap(run: run, now: now)
            try await stopIfAJobFoundTheDiskFull(run: run)
            let jobs = views(try await store.jobs(run: run.id, generation: nil)).filter { !$0.isFinalStep }
            try logs.update(jobs: jobs, planner: planner)
            let workers = try await store.workers(run: run.id)
            let bad = Set(workers.filter { $0.status == .bad }.map(\.index))

            switch config.mode {
            case .sync:
                let g = run.generation
                let t0 = Date()
                switch try planner.syncStep(generation: g, jobs: jobs) {
                case .waiting:
                    let done = jobs.filter { $0.generation == g && ($0.status == .done || $0.status == .failed) }.count
                    let total = jobs.filter { $0.generation == g }.count
                    let line = "generation \(g): \(done)/\(total) jobs finished"
                    if line != lastProgress { log(line); lastProgress = line }
                case .advance(let decisions, let next):
                    _ = try await store.enqueueJobs(next, now: Date())
                    try await store.upsertWorkers(decisions.decisions.map { workerRecord($0, run: run.id, planner: planner) }, now: Date())
                    try await store.setRunGeneration(run.id, g + 1, now: Date())
                    let ms = Date().timeIntervalSince(t0) * 1000
                    let copies = decisions.decisions.filter { $0.action == .copy }.count
                    log("generation \(g) done: best \(RunLogs.fmt(decisions.best?.score)) (worker \(decisions.best.map { String($0.worker) } ?? "-")), \(copies) exploited; decided in \(String(format: "%.1f", ms)) ms")
                    try await store.appendEvent(run: run.id, kind: .generation, message: try JSONDocument(encoding: GenerationEvent(
                        generation: g, best: decisions.best?.score, bestWorker: decisions.best?.worker, copies: copies, decisionMilliseconds: ms)), now: Date())
                    run.generation = g + 1
                    try logs.update(jobs: try await store.jobs(run: run.id, generation: nil).map(JobView.init).filter { !$0.isFinalStep },
                                    planner: planner)
                case .stop(let reason):
                    return try await finish(run: run, planner: planner, reason: reason)
                }
            case .async, .random, .grid:   // the baselines never wait for other workers
                let done = planner.completedGenerations(jobs: jobs, badWorkers: bad)
                if !stopping, done > 0,
                   let reason = config.pbtStoppingRule.shouldStop(generationBests: planner.generationBests(jobs, generations: done),
                                                                  completedGenerations: done, objective: config.minimize ? .minimize : .maximize) {
                    if case .maxGenerations = reason {} else { log("stopping: \(describe(reason)); waiting for running jobs") }
                    stopping = true
                }
                let t0 = Date()
                let plan = try planner.asyncStep(jobs: jobs, badWorkers: bad, stopping: stopping)
                if !plan.isEmpty {
                    _ = try await store.enqueueJobs(plan.map(\.1), now: Date())
                    try await store.upsertWorkers(plan.map { workerRecord($0.0, run: run.id, planner: planner) }, now: Date())
                    let ms = Date().timeIntervalSince(t0) * 1000
                    for (d, _) in plan {
                        try await store.appendEvent(run: run.id, kind: .decision, message: try JSONDocument(encoding: GenerationEvent(
                            generation: d.generation, best: d.score, bestWorker: d.worker, copies: d.action == .copy ? 1 : 0,
                            decisionMilliseconds: ms / Double(plan.count))), now: Date())
                    }
                }
                if done != run.generation { try await store.setRunGeneration(run.id, done, now: Date()); run.generation = done
                    log("generation \(done - 1) finished by every worker")
                }
                let outstanding = jobs.contains { $0.status == .queued || $0.status == .claimed }
                if plan.isEmpty && !outstanding {
                    let reason: StopReason
                    if !jobs.contains(where: { planner.result(of: $0)?.isValid == true }) { reason = .allFailed }
                    else if stopping, let r = config.pbtStoppingRule.shouldStop(generationBests: planner.generationBests(jobs, generations: done),
                                                                                completedGenerations: done, objective: config.minimize ? .minimize : .maximize) { reason = r }
                    else { reason = .maxGenerations(config.maxGenerations) }
                    return try await finish(run: run, planner: planner, reason: reason)
                }
            }
            failingSince = nil
          } catch let error as StoreError {
            // The database may be restarting: keep trying for a while (the store retries each call too).
            let since = failingSince ?? Date()
            failingSince = since
            if case .diskFull = error { throw error }   // not transient: stop with the fix (the run resumes)
            if Date().timeIntervalSince(since) > storeOutageLimit { throw error }
            log("store error (retrying): \(error)")
            try await Task.sleep(nanoseconds: 500_000_000)
          }
          try await Task.sleep(nanoseconds: UInt64(pollInterval * 1e9))
        }
    }

    /// Releases the claims of dead processes and expired leases (their jobs go back to the queue or fail).
    func reap(run: RunRecord, now: Date) async throws {
        let reap = try await store.reapExpired(now: now, heartbeatTimeout: config.heartbeatTimeout)
        guard !reap.deadProcesses.isEmpty || !reap.requeuedJobs.isEmpty || !reap.failedJobs.isEmpty else { return }
        log("reaped: dead processes \(reap.deadProcesses), re-queued jobs \(reap.requeuedJobs), failed jobs \(reap.failedJobs)")
        try await store.appendEvent(run: run.id, kind: .reap, message: try JSONDocument(encoding: [
            "dead": reap.deadProcesses.joined(separator: ","), "requeued": reap.requeuedJobs.map(String.init).joined(separator: ","),
            "failed": reap.failedJobs.map(String.init).joined(separator: ",")]), now: now)
    }

    /// Enqueues the final step's `round`-th try (or finds it enqueued already, after a restart) and waits
    /// until a client has run it, reaping dead clients meanwhile so that their claim goes to another.
    /// Returns nil when it succeeded, else why not (the run then says its outputs were not written).
    /// - Throws: `StorageError.diskFull` when a worker found the disk full (the run stays open).
    func runFinalStep(run: RunRecord, ranked: [WorkerResult], round: Int, planner: PopulationPlanner,
                      stopReason: String) async throws -> String? {
        let spec = try BestModel.finalStepJob(ranked: ranked, round: round, planner: planner, stopReason: stopReason)
        if try await store.jobs(run: run.id, generation: spec.generation).isEmpty {
            // A new try: the client writes its job file (a restarted server keeps the one of the try it waits for).
            try? FileManager.default.removeItem(at: try storage.bestDirectory(run: config.name).appendingPathComponent(PBTClient.finalStepJobFile))
            _ = try await store.enqueueJobs([spec], now: Date())
        }
        log(BestModel.describe(ranked, config: config) + "; final-step job queued for the run's clients")
        var failingSince: Date?
        var lastHint = Date()
        while true {
            do {
                try await reap(run: run, now: Date())
                try await stopIfAJobFoundTheDiskFull(run: run)
                if let job = try await store.jobs(run: run.id, generation: spec.generation).first {
                    if job.status == .done { return nil }
                    if job.status == .failed {
                        let why = "final step failed after \(job.attempts) attempt(s): \(job.error ?? "no error recorded")"
                        log("warning: \(why)")
                        return why
                    }
                    // Waiting for clients is normal (as for training jobs), but say so when none is alive.
                    if job.status == .queued, Date().timeIntervalSince(lastHint) > 60,
                       try await !store.processes().contains(where: { $0.status == .alive }) {
                        log("the final step is queued and no client is alive; start one: autolfads client --store \(config.store) --run \(config.name)")
                        lastHint = Date()
                    }
                }
                failingSince = nil
            } catch let error as StoreError {
                let since = failingSince ?? Date()
                failingSince = since
                if case .diskFull = error { throw error }
                if Date().timeIntervalSince(since) > storeOutageLimit { throw error }
                log("store error (retrying): \(error)")
            }
            try await Task.sleep(nanoseconds: UInt64(max(pollInterval, 0.2) * 1e9))
        }
    }

    /// The latest try of the final step among `jobs` (0 when none was enqueued yet).
    func finalStepRound(_ jobs: [JobView]) -> Int {
        jobs.filter(\.isFinalStep).map { -$0.generation }.max() ?? 0
    }

    /// Seconds of consecutive store failures tolerated before the server gives up.
    public var storeOutageLimit: Double = 120

    private var viewCache: [Int64: (Date, JobStatus, JobView)] = [:]

    /// Decoded job rows; rows unchanged since the last poll are not decoded again.
    func views(_ records: [JobRecord]) -> [JobView] {
        records.map { r in
            if let (t, st, v) = viewCache[r.id], t == r.updatedAt, st == r.status { return v }
            let v = JobView(r)
            viewCache[r.id] = (r.updatedAt, r.status, v)
            return v
        }
    }

    struct GenerationEvent: Codable {
        var generation: Int
        var best: Double?
        var bestWorker: Int?
        var copies: Int
        var decisionMilliseconds: Double
    }

    func workerRecord(_ d: Decision, run: Int64, planner: PopulationPlanner) -> WorkerRecord {
        WorkerRecord(runID: run, index: d.worker, status: .ok, hps: (try? JSONDocument(encoding: d.newHyperparameters)) ?? .emptyObject,
                     checkpoint: d.parentCheckpoint, generation: d.generation + 1, lastScore: d.score,
                     parent: d.action == .copy ? d.parent : nil)
    }

    /// Population init (first start) and generation-0 jobs; idempotent for a resumed run.
    func ensureFirstGeneration(run: RunRecord, planner: PopulationPlanner) async throws {
        var workers = try await store.workers(run: run.id)
        if workers.isEmpty {
            let hps = try planner.initialHyperparameters(modelDefaults: try LFADSObjective.modelDefaults(config))
            workers = try hps.enumerated().map { i, h in WorkerRecord(runID: run.id, index: i, hps: try JSONDocument(encoding: h)) }
            try await store.upsertWorkers(workers, now: Date())
        }
        if try await store.jobs(run: run.id, generation: 0).isEmpty {
            let jobs = try workers.map { w in try planner.firstJob(worker: w.index, hps: try w.hps.decode([String: Double].self)) }
            _ = try await store.enqueueJobs(jobs, now: Date())
            log("enqueued generation 0 for \(jobs.count) workers")
        }
    }

    func describe(_ r: StopReason) -> String {
        switch r {
        case .maxGenerations(let n): return "reached max_generations (\(n))"
        case .noImprovement(let ratio): return "no improvement (ratio \(String(format: "%.2e", ratio)) ≤ \(config.stopMinChange))"
        case .allFailed: return "every worker failed"
        }
    }

    /// Copies the best model to `best/`, marks the run done (or failed) and returns the summary.
    func finish(run: RunRecord, planner: PopulationPlanner, reason: StopReason) async throws -> Summary {
        let failed: Bool
        if case .allFailed = reason { failed = true } else { failed = false }
        return try await finish(run: run, planner: planner, reason: describe(reason), failed: failed)
    }

    /// The stop reason recorded with the run's final step, once it was enqueued (nil before).
    func finalStepStopReason(run: RunRecord) async throws -> String? {
        let finals = try await store.jobs(run: run.id, generation: nil).filter(\.isFinalStep)
        guard let latest = JobRecord.finalStep(in: finals) else { return nil }
        return (try? latest.payload.decode(JobPayload.self))?.stopReason ?? "stopped before a restart"
    }

    /// `finish` with the stop reason as text (the one recorded with the final step after a restart).
    func finish(run: RunRecord, planner: PopulationPlanner, reason: String, failed: Bool) async throws -> Summary {
        let all = try await store.jobs(run: run.id, generation: nil).map(JobView.init)
        let jobs = all.filter { !$0.isFinalStep }
        log("stopping: \(reason)")
        var finalStepError: String?
        let ranked = planner.ranked(jobs)
        if let best = ranked.first {
            try BestModel.export(best: best, planner: planner, storage: storage, run: config.name)
            if runsFinalStep {
                // A restarted server waits for the try it had enqueued; after a failed try, the next one.
                let latest = finalStepRound(all)
                let lastTryFailed = all.contains { $0.generation == JobRecord.finalStepGeneration(round: latest) && $0.status == .failed }
                finalStepError = try await runFinalStep(run: run, ranked: ranked, round: latest == 0 ? 1 : latest + (lastTryFailed ? 1 : 0),
                                                        planner: planner, stopReason: reason)
            }
        }
        var summary = try summarize(run: run, planner: planner, jobs: jobs, reason: reason)
        summary.status = failed ? RunStatus.failed.rawValue : RunStatus.done.rawValue
        summary.finalStepError = finalStepError
        try storage.writeJSON(summary, to: try storage.bestDirectory(run: config.name).appendingPathComponent("summary.json"))
        try await store.appendEvent(run: run.id, kind: .finished, message: try JSONDocument(encoding: summary), now: Date())
        try await store.setRunStatus(run.id, failed ? .failed : .done, now: Date())
        return summary
    }

    /// The id of the run's newest event (0 when none).
    func latestEventID(run: Int64) async throws -> Int64 {
        var cursor: Int64 = 0
        while let last = try await store.events(since: cursor, run: run, limit: 10_000).last { cursor = last.id }
        return cursor
    }

    /// A job released because its worker or client found the disk full (`releaseJob`) since this server
    /// opened the run: retrying cannot help, so the server stops with the fix (the run stays open).
    func stopIfAJobFoundTheDiskFull(run: RunRecord) async throws {
        let events = try await store.events(since: eventCursor, run: run.id, limit: 10_000)
        if let last = events.last { eventCursor = last.id }
        struct Released: Decodable { var worker: Int; var error: String }
        let released = events.filter { $0.kind == .jobReleased }.compactMap { try? $0.message.decode(Released.self) }
        guard let r = released.first(where: { $0.error.hasPrefix(DiskFull.jobErrorPrefix) }) else { return }
        throw StorageError.diskFull("worker \(r.worker) (\(r.error.dropFirst(DiskFull.jobErrorPrefix.count)))")
    }

    /// Why the finished run's final step failed (its `best/summary.json`), nil when it did not.
    func previousFinalStepError() -> String? {
        guard runsFinalStep, let url = try? storage.bestDirectory(run: config.name).appendingPathComponent("summary.json"),
              let summary = try? storage.readJSON(Summary.self, from: url) else { return nil }
        return summary.finalStepError
    }

    /// A finished run whose final step failed goes back to `running`, so that its clients claim the step's
    /// next try; the server's loop then ends in `finish` again, which enqueues it. Returns whether it did.
    /// `autolfads run` calls this before it starts its clients (which exit when they see a finished run).
    @discardableResult
    public func reopenIfFinalStepFailed() async throws -> Bool {
        let run = try await openRun()
        guard run.status == .done || run.status == .failed, let failure = previousFinalStepError() else { return false }
        log("run '\(config.name)' is finished but its final step failed (\(failure)); running it again")
        try await store.setRunStatus(run.id, .running, now: Date())
        return true
    }

    func summarize(run: RunRecord, planner: PopulationPlanner, jobs: [JobView], reason: String) throws -> Summary {
        let best = planner.best(jobs)
        let gens = (jobs.filter { $0.status == .done }.map(\.generation).max() ?? -1) + 1
        return Summary(run: config.name, status: run.status.rawValue, stopReason: reason, generations: gens,
                       bestWorker: best?.worker, bestGeneration: best?.generation, bestScore: best?.score,
                       bestHyperparameters: best?.hyperparameters,
                       bestDirectory: (try? storage.bestDirectory(run: config.name).path) ?? "")
    }
}
