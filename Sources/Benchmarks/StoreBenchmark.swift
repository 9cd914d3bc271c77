import Coordination
import Foundation

/// Throughput of the coordination protocol under many simulated clients.
///
/// Each simulated client is one registered process running the worker cycle as fast as it can:
/// claim a job → heartbeat → complete it → enqueue that worker's next generation. All clients share
/// `store` (its connection pool), as the processes of one machine share a database.
public enum StoreBenchmark {
    public struct Result: Sendable, CustomStringConvertible {
        public var clients: Int
        public var seconds: Double
        public var claims: Int
        public var heartbeats: Int
        public var completions: Int
        public var emptyClaims: Int
        /// Baseline measured in the same run: trivial read round trips (`schemaVersion`) per second, same clients.
        public var baselineReadsPerSecond: Double
        public var claimsPerSecond: Double { Double(claims) / seconds }
        public var heartbeatsPerSecond: Double { Double(heartbeats) / seconds }
        /// Claims + heartbeats + completions + enqueues + empty claims per second.
        public var operationsPerSecond: Double { Double(claims * 3 + heartbeats + emptyClaims) / seconds }
        public var description: String {
            String(format: "%d clients, %.1f s: %.0f claims/s, %.0f heartbeats/s, %.0f store ops/s (%d jobs done, %d empty claims); "
                   + "baseline %.0f trivial reads/s → ops/baseline %.2f",
                   clients, seconds, claimsPerSecond, heartbeatsPerSecond, operationsPerSecond, completions, emptyClaims,
                   baselineReadsPerSecond, operationsPerSecond / max(baselineReadsPerSecond, 1e-9))
        }
    }

    // @unchecked: every `var` below is read and written only while holding `lock` (NSLock; macOS 13 has no `Mutex`).
    private final class Counters: @unchecked Sendable {
        let lock = NSLock()
        var claims = 0, heartbeats = 0, completions = 0, empty = 0
        func add(claims c: Int, heartbeats h: Int, completions d: Int, empty e: Int) {
            lock.lock(); claims += c; heartbeats += h; completions += d; empty += e; lock.unlock()
        }
    }

    /// Runs the cycle with `clients` concurrent clients for `seconds` on a fresh run named `bench-<random>`.
    public static func run(store: any CoordinationStore, clients: Int = 100, seconds: Double = 5) async throws -> Result {
        guard clients >= 1, seconds > 0 else { throw StoreError.invalidArgument("bench needs clients ≥ 1 and seconds > 0") }
        let now = Date()
        let run = try await store.createRun(name: "bench-\(UInt32.random(in: 0...UInt32.max))", config: .emptyObject, now: now)
        try await store.upsertWorkers((0..<clients).map { WorkerRecord(runID: run.id, index: $0, hps: .emptyObject) }, now: now)
        _ = try await store.enqueueJobs((0..<clients).map { JobSpec(runID: run.id, worker: $0, generation: 0, payload: .emptyObject) }, now: now)
        for c in 0..<clients {
            try await store.registerProcess(ProcessRegistration(id: "bench-\(run.id)-\(c)", clientID: "bench", host: "localhost",
                                                                slot: c, pid: Int(getpid())), now: now)
        }
        let baseline = try await baselineReads(store: store, clients: clients, seconds: min(seconds, 2))
        let counters = Counters()
        let start = Date()
        let deadline = start.addingTimeInterval(seconds)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in 0..<clients {
                group.addTask {
                    let process = "bench-\(run.id)-\(c)"
                    var claims = 0, beats = 0, done = 0, empty = 0
                    while Date() < deadline {
                        guard let claimed = try await store.claimJob(process: process, leaseSeconds: 60, run: run.id, now: Date()) else {
                            empty += 1
                            try await Task.sleep(nanoseconds: 1_000_000)
                            continue
                        }
                        claims += 1
                        _ = try await store.heartbeat(process: process, holding: [claimed.claim], now: Date()); beats += 1
                        if case .accepted = try await store.completeJob(claimed.claim, result: JSONDocument(text: "{\"score\":1}"), now: Date()) {
                            done += 1
                        }
                        let j = claimed.job
                        _ = try await store.enqueueJobs([JobSpec(runID: run.id, worker: j.worker, generation: j.generation + 1,
                                                                 payload: .emptyObject)], now: Date())
                    }
                    counters.add(claims: claims, heartbeats: beats, completions: done, empty: empty)
                }
            }
            try await group.waitForAll()
        }
        let elapsed = Date().timeIntervalSince(start)
        try await store.setRunStatus(run.id, .done, now: Date())
        return Result(clients: clients, seconds: elapsed, claims: counters.claims, heartbeats: counters.heartbeats,
                      completions: counters.completions, emptyClaims: counters.empty, baselineReadsPerSecond: baseline)
    }

    /// Trivial reads per second with the same number of concurrent clients (the store's floor cost).
    static func baselineReads(store: any CoordinationStore, clients: Int, seconds: Double) async throws -> Double {
        let counters = Counters()
        let start = Date(), deadline = start.addingTimeInterval(seconds)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var n = 0
                    while Date() < deadline { _ = try await store.schemaVersion(); n += 1 }
                    counters.add(claims: n, heartbeats: 0, completions: 0, empty: 0)
                }
            }
            try await group.waitForAll()
        }
        return Double(counters.claims) / Date().timeIntervalSince(start)
    }
}
