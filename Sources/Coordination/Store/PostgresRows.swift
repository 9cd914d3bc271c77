import Foundation
import PostgresNIO

/// Row decoding for `PostgresStore`, by column name.
extension PostgresRow {
    func value<T: PostgresDecodable>(_ column: String, as: T.Type = T.self) throws -> T {
        try makeRandomAccess()[column].decode(T.self, context: .default)
    }

    func runRecord() throws -> RunRecord {
        let r = makeRandomAccess()
        return RunRecord(id: try r["id"].decode(Int64.self), name: try r["name"].decode(String.self),
                         config: JSONDocument(text: try r["config"].decode(String.self)),
                         status: RunStatus(rawValue: try r["status"].decode(String.self)) ?? .failed,
                         generation: try r["generation"].decode(Int.self),
                         createdAt: Date(storeSeconds: try r["created_at"].decode(Double.self)),
                         updatedAt: Date(storeSeconds: try r["updated_at"].decode(Double.self)))
    }

    func workerRecord() throws -> WorkerRecord {
        let r = makeRandomAccess()
        return WorkerRecord(runID: try r["run_id"].decode(Int64.self), index: try r["worker"].decode(Int.self),
                            status: WorkerStatus(rawValue: try r["status"].decode(String.self)) ?? .bad,
                            hps: JSONDocument(text: try r["hps"].decode(String.self)),
                            checkpoint: try r["checkpoint"].decode(String?.self),
                            generation: try r["generation"].decode(Int.self),
                            lastScore: try r["last_score"].decode(Double?.self),
                            parent: try r["parent"].decode(Int?.self),
                            updatedAt: Date(storeSeconds: try r["updated_at"].decode(Double.self)))
    }

    func jobRecord() throws -> JobRecord {
        let r = makeRandomAccess()
        return JobRecord(id: try r["id"].decode(Int64.self), runID: try r["run_id"].decode(Int64.self),
                         worker: try r["worker"].decode(Int.self), generation: try r["generation"].decode(Int.self),
                         status: JobStatus(rawValue: try r["status"].decode(String.self)) ?? .failed,
                         attempts: try r["attempts"].decode(Int.self), maxAttempts: try r["max_attempts"].decode(Int.self),
                         claimedBy: try r["claimed_by"].decode(String?.self),
                         leaseExpires: try r["lease_expires"].decode(Double?.self).map(Date.init(storeSeconds:)),
                         payload: JSONDocument(text: try r["payload"].decode(String.self)),
                         result: try r["result"].decode(String?.self).map(JSONDocument.init(text:)),
                         error: try r["error"].decode(String?.self),
                         createdAt: Date(storeSeconds: try r["created_at"].decode(Double.self)),
                         updatedAt: Date(storeSeconds: try r["updated_at"].decode(Double.self)),
                         claimToken: try r["claim_token"].decode(String?.self))
    }

    func processRecord() throws -> ProcessRecord {
        let r = makeRandomAccess()
        return ProcessRecord(id: try r["id"].decode(String.self), clientID: try r["client_id"].decode(String.self),
                             host: try r["host"].decode(String.self), slot: try r["slot"].decode(Int.self),
                             pid: try r["pid"].decode(Int.self),
                             status: ProcessStatus(rawValue: try r["status"].decode(String.self)) ?? .dead,
                             startedAt: Date(storeSeconds: try r["started_at"].decode(Double.self)),
                             lastHeartbeat: Date(storeSeconds: try r["last_heartbeat"].decode(Double.self)),
                             threads: try r["threads"].decode(Int.self))
    }

    func eventRecord() throws -> EventRecord {
        let r = makeRandomAccess()
        return EventRecord(id: try r["id"].decode(Int64.self), time: Date(storeSeconds: try r["time"].decode(Double.self)),
                           runID: try r["run_id"].decode(Int64?.self), kind: EventKind(rawValue: try r["kind"].decode(String.self)),
                           message: JSONDocument(text: try r["message"].decode(String.self)))
    }
}

extension PostgresRowSequence {
    /// All rows mapped with `transform`.
    func map<T>(_ transform: (PostgresRow) throws -> T) async throws -> [T] {
        var out: [T] = []
        for try await row in self { out.append(try transform(row)) }
        return out
    }
}
