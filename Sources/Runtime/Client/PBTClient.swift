import Foundation
import Coordination
#if canImport(Glibc)
import Glibc
#endif

/// A client: registers one store process per slot, heartbeats, claims jobs and runs each as an
/// `autolfads worker` child process, reporting results or failures. A crashing worker only fails
/// its job. Stops on `requestStop()` (SIGTERM/SIGINT), when its runs finish, or after the idle timeout.
// @unchecked: every `var` below is read and written only while holding `lock` (NSLock; macOS 13 has no `Mutex`),
// except `watchedRun`, written once at the start of `run()` before any slot task exists.
public final class PBTClient: @unchecked Sendable {
    public let store: any CoordinationStore
    public let options: ClientOptions
    public let clientID: String
    let log: (String) -> Void
    private let lock = NSLock()
    private var stopping = false
    private var children: [Int: ChildProcess] = [:]
    /// Per slot, a worker process started ahead of its job and its environment (see `StandbyAssignment`).
    private var standbys: [Int: (child: ChildProcess, environment: [String: String])] = [:]
    private var heldJob: [Int: Int64] = [:]
    /// Per slot, the claim it holds (from its claim's answer until the job is reported): what its
    /// heartbeats renew. A job the store shows as claimed by the slot but missing here is not renewed.
    private var heldClaims: [Int: JobClaim] = [:]
    /// Per slot, the token of a claim whose answer has not arrived (failed or timed out): the next try
    /// reuses it, so a claim that committed anyway is returned instead of a second one being taken.
    private var pendingClaimTokens: [Int: String] = [:]
    private var configs: [Int64: RunConfig] = [:]
    private var lastWork = Date()
    private var watchedRun: Int64?
    private var counts = (done: 0, failed: 0, rejected: 0)
    /// When this client started (a finished run is only left after a grace period from here).
    private let startedAt = Date()
    private var claims = 0

    public init(store: any CoordinationStore, options: ClientOptions, log: @escaping (String) -> Void = { print($0) }) {
        self.store = DeadlineStore(store, seconds: 20); self.options = options; self.log = log
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        self.hostname = host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        self.clientID = "\(hostname)-\(getpid())-\(UUID().uuidString.prefix(6))"
    }
    public let hostname: String

    private func locked<T>(_ body: () throws -> T) rethrows -> T { lock.lock(); defer { lock.unlock() }; return try body() }

    func processID(_ slot: Int) -> String { "\(clientID)/\(slot)" }
    var isStopping: Bool { locked { stopping } }

    /// What the client did.
    public struct Report: Sendable, Equatable { public var done: Int; public var failed: Int; public var rejected: Int }

    /// Asks the client to stop: no new claims, running workers are terminated, processes marked exited
    /// (their jobs go back to the queue at the server's next reap).
    public func requestStop() {
        let kids: [ChildProcess] = locked { stopping = true; return Array(children.values) + standbys.values.map(\.child) }
        for c in kids { c.signal(SIGTERM) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) { for c in kids { c.signal(SIGKILL) } }
    }

    /// Runs until stopped; returns the counts of completed and failed jobs.
    public func run() async throws -> Report {
        var threads = options.threadsPerSlot ?? 0
        if let name = options.run {
            guard let r = try await store.run(named: name) else {
                throw RuntimeError("run '\(name)' does not exist in \(store.location); start `autolfads server` first")
            }
            watchedRun = r.id
            threads = workerThreads(try await config(for: r.id))
        }
        for s in 0..<options.slots {
            try await store.registerProcess(ProcessRegistration(id: processID(s), clientID: clientID, host: hostname,
                                                                slot: s, pid: Int(getpid()), threads: threads), now: Date())
        }
        log("client \(clientID): \(options.slots) slots" + (threads > 0 ? " × \(threads) training threads" : "") + " on \(store.location)")
        let heartbeat = Task { await heartbeatLoop() }
        await withTaskGroup(of: Void.self) { g in
            for s in 0..<options.slots { g.addTask { await self.slotLoop(s) } }
        }
        heartbeat.cancel()
        for s in 0..<options.slots { discardStandby(s) }
        for s in 0..<options.slots {
            try? await retrying("mark process exited") { try await self.store.setProcessStatus(self.processID(s), .exited, now: Date()) }
        }
        let c = locked { counts }
        log("client \(clientID) exits: \(c.done) jobs done, \(c.failed) failed, \(c.rejected) results rejected")
        return Report(done: c.done, failed: c.failed, rejected: c.rejected)
    }

    func config(for runID: Int64) async throws -> RunConfig {
        let cached = locked { configs[runID] }
        if let cached { return cached }
        guard let r = try await store.run(id: runID) else { throw RuntimeError("run \(runID) vanished from the store") }
        var c = try StoredRunConfig.load(r)
        if let s = options.storage { c.storage = s }
        locked { configs[runID] = c }
        return c
    }

    var heartbeatInterval: Double {
        if let h = options.heartbeatInterval { return h }
        return locked { configs.values.map(\.heartbeatInterval).min() ?? 5 }
    }

    func heartbeatLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: UInt64(heartbeatInterval * 1e9))
            if Task.isCancelled { return }
            for s in 0..<options.slots {
                do {
                    let holding = locked { heldClaims[s].map { [$0] } ?? [] }
                    let out = try await store.heartbeat(process: processID(s), holding: holding, now: Date())
                    // Only the claim this heartbeat renewed can be lost by it (the slot may have
                    // claimed another job meanwhile).
                    let (held, child) = locked { (heldJob[s], children[s]) }
                    if let asked = holding.first?.jobID, let held, held == asked, !out.heldJobs.contains(held), let child {
                        log("slot \(s): lost the lease on job \(held); stopping its worker")
                        child.signal(SIGKILL)
                    }
                } catch {
                    log("heartbeat failed (will retry): \(error)")
                }
            }
        }
    }

    /// Whether the client should exit now (stop requested, watched run finished, idle too long).
    func shouldExit() async -> Bool {
        if isStopping { return true }
        if options.maxJobs > 0 {
            let n = locked { claims }
            if n >= options.maxJobs { return true }
        }
        if let id = watchedRun, let r = try? await store.run(id: id), r.status == .done || r.status == .failed {
            // A finished run whose final step failed is reopened by a server started to retry it; a client
            // started for that retry may look first, so it waits a heartbeat timeout from its start.
            let grace = (try? await config(for: id).heartbeatTimeout) ?? 30
            guard Date().timeIntervalSince(startedAt) < grace, let jobs = try? await store.jobs(run: id, generation: nil),
                  JobRecord.finalStep(in: jobs)?.status == .failed else { return true }
        }
        let (idle, anyBusy) = locked { (Date().timeIntervalSince(lastWork), !children.isEmpty) }
        return options.idleTimeout > 0 && idle > options.idleTimeout && !anyBusy
    }

    func slotLoop(_ slot: Int) async {
        while true {
            if await shouldExit() { return }
            if let id = watchedRun, let cfg = try? await config(for: id) { prepareStandby(slot, environment: workerEnvironment(cfg)) }
            let claimed: ClaimedJob?
            if options.maxJobs > 0 {   // reserve a claim so slots never exceed the limit together
                let ok: Bool = locked { if claims < options.maxJobs { claims += 1; return true }; return false }
                if !ok { return }
            }
            func unreserve() { if options.maxJobs > 0 { locked { claims -= 1 } } }
            do {
                var lease = 30.0
                if let id = watchedRun { lease = try await config(for: id).heartbeatTimeout }
                let token = locked { () -> String in
                    if let t = pendingClaimTokens[slot] { return t }
                    let t = newClaimToken(); pendingClaimTokens[slot] = t; return t
                }
                claimed = try await store.claimJob(process: processID(slot), leaseSeconds: lease, run: watchedRun, token: token, now: Date())
                locked { pendingClaimTokens[slot] = nil; heldClaims[slot] = claimed?.claim }
            } catch {
                unreserve()
                log("slot \(slot): claim failed (will retry): \(error)")
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                continue
            }
            guard let claimed else {
                unreserve()
                try? await Task.sleep(nanoseconds: UInt64(options.pollInterval * 1e9))
                continue
            }
            locked { lastWork = Date() }
            await execute(claimed, slot: slot)
            locked { lastWork = Date(); heldClaims[slot] = nil }
        }
    }

    /// The final step's job file and log, in `best/` (training jobs keep theirs in the generation directory).
    public static let finalStepJobFile = "posterior-job.json"
    public static let finalStepLog = "posterior.log"

    func execute(_ claimed: ClaimedJob, slot: Int) async {
        let job = claimed.job, claim = claimed.claim
        var label = "worker \(job.worker) generation \(job.generation) (job \(job.id), attempt \(job.attempts))"
        do {
            let cfg = try await config(for: job.runID)
            let storage = SharedStorage(rootPath: cfg.storage)
            let payload = try job.payload.decode(JobPayload.self)
            let task = payload.task ?? .train
            if task == .posterior { label = "final step for worker \(job.worker) (job \(job.id), attempt \(job.attempts))" }
            let dir = task == .posterior ? try storage.bestDirectory(run: cfg.name)
                : try storage.generationDirectory(run: cfg.name, worker: job.worker, generation: job.generation)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let resultURL = dir.appendingPathComponent(WorkerFiles.result)
            if task == .train { try? FileManager.default.removeItem(at: resultURL) }
            let wj = WorkerJob(run: cfg.name, worker: job.worker, generation: payload.bestGeneration ?? job.generation, attempt: job.attempts,
                               epochs: payload.epochs, hps: payload.hps,
                               initCheckpoints: try payload.initCheckpoints.map { try storage.resolve($0).path },
                               outputDirectory: dir.path, seed: payload.seed, config: cfg, task: task)
            let jobFile = dir.appendingPathComponent(task == .posterior ? Self.finalStepJobFile : ".job-\(job.attempts).json").path
            try wj.save(path: jobFile)
            let logPath = dir.appendingPathComponent(task == .posterior ? Self.finalStepLog : WorkerFiles.log).path
            // The final step runs alone at the end of the run: it samples on all of this machine's cores.
            let environment = task == .posterior ? ChildEnvironment.forWorker(threads: ClientOptions.cores) : workerEnvironment(cfg)
            let child: ChildProcess
            if task == .train, let ready = takeStandby(slot, environment: environment),
               ready.send(try StandbyAssignment(jobFile: jobFile, logPath: logPath).encodedLine()) {
                child = ready
            } else {
                let launch = try WorkerLaunch.resolve(options: options, jobFile: jobFile, environment: environment,
                                                      storage: storage.root.path)
                child = try ChildProcess(executable: launch.executable, arguments: launch.arguments,
                                         environment: launch.environment, logPath: logPath, ownProcessGroup: true)
            }
            locked { children[slot] = child; heldJob[slot] = job.id }
            prepareStandby(slot, environment: workerEnvironment(cfg))   // its start-up overlaps this job
            log("slot \(slot): started \(label), pid \(child.pid)")
            let started = Date()
            let timedOut = task == .posterior ? await stopAfter(cfg.finalStepTimeout, child) : false
            let exit = await child.wait()
            locked { children[slot] = nil; heldJob[slot] = nil }
            if isStopping {
                // Not the job's failure: back to the queue without using up an attempt.
                _ = try? await store.releaseJob(claim, error: "interrupted: its client stopped", now: Date())
                log("slot \(slot): \(label) interrupted by shutdown; re-queued")
                return
            }
            if timedOut {
                let why = "it did not finish within faults.final_step_timeout (\(String(format: "%g", cfg.finalStepTimeout)) s) and was stopped; see \(logPath), or raise the limit"
                return try await reportFailure(claim, why, label: label, slot: slot)
            }
            let outcome: JobOutcome? = task == .posterior
                ? (exit.succeeded ? JobOutcome(score: nil, epochs: 0, totalEpochs: 0, seconds: Date().timeIntervalSince(started),
                                               startedFrom: wj.initCheckpoints.first, rejectedCheckpoints: [], checkpoint: "") : nil)
                : (exit.succeeded ? try? FileIO.readJSON(JobOutcome.self, from: resultURL.path) : nil)
            if var outcome {
                outcome.checkpoint = try storage.relativePath(dir.appendingPathComponent(WorkerFiles.checkpoint))
                let doc = try JSONDocument(encoding: outcome)
                let result = try await retrying("complete job \(job.id)") { try await self.store.completeJob(claim, result: doc, now: Date()) }
                switch result {
                case .accepted, .alreadyRecorded:
                    locked { counts.done += 1 }
                    log("slot \(slot): \(label) done" + (task == .train ? ", score \(outcome.score.map { String($0) } ?? "NaN")" : ""))
                case .rejected(let reason):
                    locked { counts.rejected += 1 }
                    log("slot \(slot): result of \(label) discarded: \(reason)")
                }
            } else {
                let why = exit.succeeded ? "exited 0 without writing result.json" : exit.description
                if exit == .exited(DiskFull.workerExitStatus) {
                    return try await reportDiskFull(claim, "the worker could not write its outputs; see \(logPath)", label: label, slot: slot)
                }
                try await reportFailure(claim, "worker \(why); see \(logPath)", label: label, slot: slot)
            }
        } catch {
            locked { children[slot] = nil; heldJob[slot] = nil }
            if DiskFull.describes(error) { try? await reportDiskFull(claim, "\(error)", label: label, slot: slot); return }
            try? await reportFailure(claim, "client could not run the job: \(error)", label: label, slot: slot)
        }
    }

    /// Waits for `child` for at most `seconds`, then stops it (SIGTERM, SIGKILL after 5 s); true when it had to.
    func stopAfter(_ seconds: Double, _ child: ChildProcess) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while child.exit == nil && Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
        guard child.exit == nil else { return false }
        _ = await child.terminate(grace: 5)
        return true
    }

    func workerEnvironment(_ cfg: RunConfig) -> [String: String] {
        ChildEnvironment.forWorker(threads: workerThreads(cfg))
    }

    /// Training threads of each worker of a run: `--threads`, else the run's `threads_per_slot` rule
    /// for this machine's cores and this client's slots (`RunConfig.threads(cores:slots:)`).
    func workerThreads(_ cfg: RunConfig) -> Int {
        options.threadsPerSlot ?? cfg.threads(cores: ClientOptions.cores, slots: options.slots)
    }

    /// Whether workers may be started ahead of their jobs: process runtime only (a container's start
    /// belongs to its job), and not when disabled.
    var usesStandby: Bool { options.standbyWorkers && options.workerRuntime?.runtime != .container }

    /// Starts a standby worker for `slot` unless one with this environment is already waiting.
    func prepareStandby(_ slot: Int, environment: [String: String]) {
        guard usesStandby, !isStopping else { return }
        if let s = locked({ standbys[slot] }), s.child.exit == nil, s.environment == environment { return }
        discardStandby(slot)
        do {
            let child = try ChildProcess(executable: options.executable, arguments: ["worker", "--standby"],
                                         environment: environment, logPath: "/dev/null", stdinPipe: true, ownProcessGroup: true)
            locked { standbys[slot] = (child, environment) }
        } catch {
            log("slot \(slot): cannot start a standby worker (jobs start cold): \(error)")
        }
    }

    /// The slot's standby worker if it is alive and has `environment`; else nil (and it is discarded).
    func takeStandby(_ slot: Int, environment: [String: String]) -> ChildProcess? {
        guard usesStandby, let s = locked({ standbys.removeValue(forKey: slot) }) else { return nil }
        guard s.child.exit == nil, s.environment == environment else { s.child.send(Data()); return nil }
        return s.child
    }

    /// Lets the slot's standby worker go: EOF on its stdin makes it exit.
    func discardStandby(_ slot: Int) {
        if let s = locked({ standbys.removeValue(forKey: slot) }) { s.child.send(Data()) }
    }

    func reportFailure(_ claim: JobClaim, _ error: String, label: String, slot: Int) async throws {
        let outcome = try await retrying("fail job \(claim.jobID)") { try await self.store.failJob(claim, error: error, now: Date()) }
        locked { counts.failed += 1 }
        switch outcome {
        case .requeued: log("slot \(slot): \(label) failed (\(error)); re-queued")
        case .failedPermanently:
            log("slot \(slot): \(label) failed (\(error)); out of attempts" + (label.hasPrefix("final step") ? "" : ", worker marked bad"))
        case .rejected(let reason): log("slot \(slot): failure of \(label) not recorded: \(reason)")
        }
    }

    /// A job that found the disk full: retrying cannot help, so the failure is marked for the server
    /// (which stops the run with the fix) and this slot claims nothing for `diskFullPause` seconds.
    func reportDiskFull(_ claim: JobClaim, _ detail: String, label: String, slot: Int) async throws {
        let error = DiskFull.jobErrorPrefix + detail
        let outcome = try await retrying("release job \(claim.jobID)") { try await self.store.releaseJob(claim, error: error, now: Date()) }
        if case .rejected(let reason) = outcome { log("slot \(slot): release of \(label) not recorded: \(reason)") }
        else { log("slot \(slot): \(label) found the disk full (\(detail)); re-queued without using an attempt, slot pauses \(Int(options.diskFullPause)) s") }
        let until = Date().addingTimeInterval(options.diskFullPause)
        while !isStopping && Date() < until { try? await Task.sleep(nanoseconds: 200_000_000) }
    }

    /// Retries a store call for up to two minutes (the database may be restarting).
    func retrying<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        var delay = 0.2
        let deadline = Date().addingTimeInterval(120)
        while true {
            do { return try await body() }
            catch {
                if Date() > deadline { throw error }
                log("\(what) failed (retrying in \(String(format: "%.1f", delay)) s): \(error)")
                try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                delay = min(delay * 2, 5)
            }
        }
    }
}
