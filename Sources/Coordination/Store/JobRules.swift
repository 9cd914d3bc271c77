/// Pure rules shared by both backends for judging a claim that no longer matches its job.
enum JobRules {
    /// A completion whose claim did not match: the same claim repeated (a retried call) or a stale one.
    static func staleCompletion(job: JobRecord?, claim: JobClaim) -> CompletionOutcome {
        if let job, job.status == .done, job.claimedBy == claim.process, job.attempts == claim.attempt {
            return .alreadyRecorded
        }
        return .rejected(reason: staleReason(job: job, claim: claim))
    }

    /// Why `claim` no longer holds `job`.
    static func staleReason(job: JobRecord?, claim: JobClaim) -> String {
        guard let job else { return "job \(claim.jobID) does not exist" }
        switch job.status {
        case .queued:
            return "job \(job.id) was released (lease expired or process declared dead) and is queued again"
        case .claimed:
            return "job \(job.id) is now held by \(job.claimedBy ?? "?") (attempt \(job.attempts)), not \(claim.process) (attempt \(claim.attempt))"
        case .done:
            return "job \(job.id) was already completed by \(job.claimedBy ?? "?") (attempt \(job.attempts))"
        case .failed:
            return "job \(job.id) has failed permanently"
        }
    }
}
