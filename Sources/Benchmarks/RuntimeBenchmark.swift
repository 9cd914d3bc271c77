import Runtime
import Foundation
import Coordination

/// Measures the runtime end to end with the toy objective: slot utilisation (fraction of slot-time
/// spent training) and server decision latency, for sync and async PBT.
public enum RuntimeBenchmark {
    public struct Result: Sendable, Codable {
        public var mode: String
        /// Whether clients started each worker process ahead of its job (`ClientOptions.standbyWorkers`).
        public var standby: Bool
        public var workers: Int
        public var slots: Int
        public var generations: Int
        public var wallSeconds: Double
        /// Σ training seconds reported by the workers.
        public var trainSeconds: Double
        /// trainSeconds / (slots × wallSeconds).
        public var utilisation: Double
        /// From the command's start to the first job's start (store, run creation, client and worker
        /// start-up), and from the last job's end to the command's exit (final step, clients stopping).
        public var startSeconds: Double
        public var endSeconds: Double
        /// trainSeconds / (slots × the span from the first job's start to the last one's end): the
        /// utilisation while the run trains, without its fixed start and end.
        public var inRunUtilisation: Double {
            let span = wallSeconds - startSeconds - endSeconds
            return span > 0 ? trainSeconds / (Double(slots) * span) : 0
        }
        public var decisionMillisecondsMean: Double
        public var decisionMillisecondsMax: Double
        public var jobs: Int
        /// Slot-seconds not spent training, per job, in milliseconds: (slots × wall − train) / jobs.
        /// Includes the run's start, the last generation's tail (which grows with the job length) and
        /// the final output step, besides the per-job start cost.
        public var overheadMillisecondsPerJob: Double {
            jobs == 0 ? 0 : (Double(slots) * wallSeconds - trainSeconds) / Double(jobs) * 1000
        }
    }

    /// Runs one toy population in `directory` and measures it.
    public static func run(mode: RunConfig.Mode, standby: Bool = true, workers: Int = 8, slots: Int = 2, generations: Int = 10,
                           epochs: Int = 4, epochSeconds: Double = 0.05, spread: Double = 0.4,
                           directory: String, executable: String) async throws -> Result {
        var c = try RunConfig.parse(yaml: """
            name: bench-\(mode.rawValue)
            objective: toy
            storage: \(directory)/\(mode.rawValue)-\(standby ? "standby" : "cold")
            population: \(workers)
            epochs_per_generation: \(epochs)
            max_generations: \(generations)
            stopping: {enabled: false}
            pbt: {mode: \(mode.rawValue)}
            toy: {epoch_seconds: \(epochSeconds), epoch_seconds_spread: \(spread)}
            faults: {heartbeat_interval: 1, heartbeat_timeout: 10}
            """, baseDirectory: directory)
        c.seed = 1
        var local = LocalRun(config: c, slots: slots, clients: 1, executable: executable)
        local.log = { _ in }
        if !standby { local.clientArguments = ["--no-standby"] }
        let t0 = Date()
        _ = try await local.run()
        let wall = Date().timeIntervalSince(t0)
        let store = try await openCoordinationStore(c.store)
        defer { Task { await store.close() } }
        guard let run = try await store.run(named: c.name) else { throw RuntimeError("benchmark run vanished") }
        let jobs = try await store.jobs(run: run.id, generation: nil).filter { $0.status == .done && !$0.isFinalStep }   // training jobs
        let timed = jobs.compactMap { j in (try? j.result?.decode(JobOutcome.self).seconds).map { (end: j.updatedAt, seconds: $0) } }
        let train = timed.map(\.seconds).reduce(0, +)
        // A job's start ≈ its completion time − its own duration.
        let firstStart = timed.map { $0.end.addingTimeInterval(-$0.seconds) }.min() ?? t0, lastEnd = jobs.map(\.updatedAt).max() ?? t0
        let events = try await store.events(since: 0, run: run.id, limit: 100_000)
        struct E: Decodable { var decisionMilliseconds: Double }
        let ms = events.filter { $0.kind == .generation || $0.kind == .decision }
            .compactMap { try? $0.message.decode(E.self).decisionMilliseconds }
        return Result(mode: mode.rawValue, standby: standby, workers: workers, slots: slots, generations: generations, wallSeconds: wall,
                      trainSeconds: train, utilisation: train / (Double(slots) * wall),
                      startSeconds: max(0, firstStart.timeIntervalSince(t0)), endSeconds: max(0, wall - lastEnd.timeIntervalSince(t0)),
                      decisionMillisecondsMean: ms.isEmpty ? 0 : ms.reduce(0, +) / Double(ms.count),
                      decisionMillisecondsMax: ms.max() ?? 0, jobs: jobs.count)
    }
}
