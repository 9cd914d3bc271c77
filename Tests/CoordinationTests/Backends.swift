import Foundation
@testable import Coordination

/// The two real backends the behavioural suite runs against.
enum Backend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, postgres
    var description: String { rawValue }

    /// A URL for a fresh, empty store of this backend.
    func freshURL() async throws -> String {
        switch self {
        case .sqlite:
            return "sqlite://" + TempDir.make().appendingPathComponent("store.db").path
        case .postgres:
            return try await PostgresTestServer.shared.value.makeDatabase()
        }
    }

    func openFresh() async throws -> (any CoordinationStore, String) {
        let url = try await freshURL()
        return (try await openCoordinationStore(url, environment: [:]), url)
    }
}

/// Temporary directories for tests, all removed when the test process exits.
enum TempDir {
    static let lock = NSLock()
    nonisolated(unsafe) static var made: [String] = []
    static let cleanup: Void = { atexit { for d in TempDir.made { try? FileManager.default.removeItem(atPath: d) } } }()

    static func make() -> URL {
        let d = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("autolfads-store-test-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        lock.lock(); _ = cleanup; made.append(d.path); lock.unlock()
        return d
    }
}

/// A run with `workers` workers, one generation-0 job each.
struct Fixture {
    let run: RunRecord
    let jobIDs: [Int64]

    static func make(_ store: any CoordinationStore, workers: Int, jobsPerWorker: Int = 1, maxAttempts: Int = 3,
                     now: Date = Date(timeIntervalSince1970: 1_000_000)) async throws -> Fixture {
        let run = try await store.createRun(name: "r\(UInt32.random(in: 0...UInt32.max))", config: JSONDocument(text: "{\"workers\":\(workers)}"), now: now)
        try await store.upsertWorkers((0..<workers).map { WorkerRecord(runID: run.id, index: $0, hps: JSONDocument(text: "{\"lr\":0.01}")) }, now: now)
        var specs: [JobSpec] = []
        for g in 0..<jobsPerWorker {
            for w in 0..<workers {
                specs.append(JobSpec(runID: run.id, worker: w, generation: g, payload: JSONDocument(text: "{\"w\":\(w),\"g\":\(g)}"), maxAttempts: maxAttempts))
            }
        }
        let ids = try await store.enqueueJobs(specs, now: now)
        return Fixture(run: run, jobIDs: ids)
    }
}

func register(_ store: any CoordinationStore, _ id: String, now: Date) async throws {
    try await store.registerProcess(ProcessRegistration(id: id, clientID: "c", host: "h", slot: 0, pid: 1), now: now)
}
