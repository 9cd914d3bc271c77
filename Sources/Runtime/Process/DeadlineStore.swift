import Foundation
import Coordination

/// A `CoordinationStore` whose every call gives up after `seconds` with `StoreError.unavailable`
/// (the wrapped call is cancelled and abandoned). Server and clients use it so a call stuck on a
/// dead database connection is retried like any outage instead of freezing the process.
public final class DeadlineStore: CoordinationStore, Sendable {
    public let base: any CoordinationStore
    public let seconds: Double

    public init(_ base: any CoordinationStore, seconds: Double = 45) { self.base = base; self.seconds = seconds }

    func g<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do { return try await withDeadline(seconds, what, body) }
        catch let e as RuntimeError { throw StoreError.unavailable("\(base.location): \(e.message)") }
    }

    public var location: String { base.location }
    public func migrate() async throws { try await g("migrate") { try await self.base.migrate() } }
    public func schemaVersion() async throws -> Int { try await g("schemaVersion") { try await self.base.schemaVersion() } }
    public func close() async { await base.close() }
    public func createRun(name: String, config: JSONDocument, now: Date) async throws -> RunRecord {
        try await g("createRun") { try await self.base.createRun(name: name, config: config, now: now) }
    }
    public func run(named name: String) async throws -> RunRecord? { try await g("run") { try await self.base.run(named: name) } }
    public func run(id: Int64) async throws -> RunRecord? { try await g("run") { try await self.base.run(id: id) } }
    public func runs() async throws -> [RunRecord] { try await g("runs") { try await self.base.runs() } }
    public func setRunStatus(_ runID: Int64, _ status: RunStatus, now: Date) async throws {
        try await g("setRunStatus") { try await self.base.setRunStatus(runID, status, now: now) }
    }
    public func setRunGeneration(_ runID: Int64, _ generation: Int, now: Date) async throws {
        try await g("setRunGeneration") { try await self.base.setRunGeneration(runID, generation, now: now) }
    }
    public func upsertWorkers(_ workers: [WorkerRecord], now: Date) async throws {
        try await g("upsertWorkers") { try await self.base.upsertWorkers(workers, now: now) }
    }
    public func workers(run runID: Int64) async throws -> [WorkerRecord] { try await g("workers") { try await self.base.workers(run: runID) } }
    public func enqueueJobs(_ jobs: [JobSpec], now: Date) async throws -> [Int64] {
        try await g("enqueueJobs") { try await self.base.enqueueJobs(jobs, now: now) }
    }
    public func claimJob(process: String, leaseSeconds: Double, run runID: Int64?, token: String, now: Date) async throws -> ClaimedJob? {
        try await g("claimJob") { try await self.base.claimJob(process: process, leaseSeconds: leaseSeconds, run: runID, token: token, now: now) }
    }
    public func heartbeat(process: String, holding claims: [JobClaim], now: Date) async throws -> HeartbeatOutcome {
        try await g("heartbeat") { try await self.base.heartbeat(process: process, holding: claims, now: now) }
    }
    public func completeJob(_ claim: JobClaim, result: JSONDocument, now: Date) async throws -> CompletionOutcome {
        try await g("completeJob") { try await self.base.completeJob(claim, result: result, now: now) }
    }
    public func failJob(_ claim: JobClaim, error: String, now: Date) async throws -> FailureOutcome {
        try await g("failJob") { try await self.base.failJob(claim, error: error, now: now) }
    }
    public func releaseJob(_ claim: JobClaim, error: String, now: Date) async throws -> FailureOutcome {
        try await g("releaseJob") { try await self.base.releaseJob(claim, error: error, now: now) }
    }
    public func reapExpired(now: Date, heartbeatTimeout: Double) async throws -> ReapReport {
        try await g("reapExpired") { try await self.base.reapExpired(now: now, heartbeatTimeout: heartbeatTimeout) }
    }
    public func jobs(run runID: Int64, generation: Int?) async throws -> [JobRecord] {
        try await g("jobs") { try await self.base.jobs(run: runID, generation: generation) }
    }
    public func job(id: Int64) async throws -> JobRecord? { try await g("job") { try await self.base.job(id: id) } }
    public func registerProcess(_ process: ProcessRegistration, now: Date) async throws {
        try await g("registerProcess") { try await self.base.registerProcess(process, now: now) }
    }
    public func setProcessStatus(_ id: String, _ status: ProcessStatus, now: Date) async throws {
        try await g("setProcessStatus") { try await self.base.setProcessStatus(id, status, now: now) }
    }
    public func processes() async throws -> [ProcessRecord] { try await g("processes") { try await self.base.processes() } }
    @discardableResult
    public func appendEvent(run runID: Int64?, kind: EventKind, message: JSONDocument, now: Date) async throws -> Int64 {
        try await g("appendEvent") { try await self.base.appendEvent(run: runID, kind: kind, message: message, now: now) }
    }
    public func events(since: Int64, run runID: Int64?, limit: Int) async throws -> [EventRecord] {
        try await g("events") { try await self.base.events(since: since, run: runID, limit: limit) }
    }
}
