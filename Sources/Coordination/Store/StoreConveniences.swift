import Foundation

/// Shorthands that read the caller's clock (`Date()`); the protocol methods take `now` explicitly.
public extension CoordinationStore {
    func claimJob(process: String, leaseSeconds: Double, run runID: Int64? = nil) async throws -> ClaimedJob? {
        try await claimJob(process: process, leaseSeconds: leaseSeconds, run: runID, token: newClaimToken(), now: Date())
    }
    /// A claim under a fresh token, for callers that never retry a claim whose answer they missed.
    func claimJob(process: String, leaseSeconds: Double, run runID: Int64?, now: Date) async throws -> ClaimedJob? {
        try await claimJob(process: process, leaseSeconds: leaseSeconds, run: runID, token: newClaimToken(), now: now)
    }
    func heartbeat(process: String, holding claims: [JobClaim]) async throws -> HeartbeatOutcome {
        try await heartbeat(process: process, holding: claims, now: Date())
    }
    func completeJob(_ claim: JobClaim, result: JSONDocument) async throws -> CompletionOutcome {
        try await completeJob(claim, result: result, now: Date())
    }
    func failJob(_ claim: JobClaim, error: String) async throws -> FailureOutcome {
        try await failJob(claim, error: error, now: Date())
    }
    func reapExpired(heartbeatTimeout: Double) async throws -> ReapReport {
        try await reapExpired(now: Date(), heartbeatTimeout: heartbeatTimeout)
    }
    @discardableResult
    func appendEvent(run runID: Int64?, kind: EventKind, message: JSONDocument) async throws -> Int64 {
        try await appendEvent(run: runID, kind: kind, message: message, now: Date())
    }
}
