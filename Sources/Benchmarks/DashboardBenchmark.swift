import Dashboard
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `autolfads bench dashboard`: how long reading a run and rendering the dashboard take, and HTTP
/// throughput with and without the snapshot cache, on a generated run of the given size.
public enum DashboardBenchmark {
    public struct Options: Sendable {
        public var workers = 20
        public var generations = 20
        public var epochs = 25
        public var requests = 200
        public init() {}
    }

    static func time(_ reps: Int, _ body: () throws -> Void) rethrows -> Double {
        let t0 = Date()
        for _ in 0..<reps { try body() }
        return Date().timeIntervalSince(t0) / Double(reps)
    }

    static func requestsPerSecond(_ source: any RunSnapshotSource, cacheSeconds: Double, path: String, count: Int) async throws -> Double {
        let server = try DashboardServer(source: source, port: 0, cacheSeconds: cacheSeconds)
        let port = try await server.start()
        let url = URL(string: "http://127.0.0.1:\(port)\(path)")!
        _ = try await URLSession.shared.data(from: url)   // warm up
        let t0 = Date()
        for _ in 0..<count {
            let (_, r) = try await URLSession.shared.data(from: url)
            guard (r as? HTTPURLResponse)?.statusCode == 200 else { throw DashboardError("benchmark request to \(path) failed") }
        }
        let rate = Double(count) / Date().timeIntervalSince(t0)
        await server.stop()
        return rate
    }

    /// Runs the benchmark and returns the lines to print.
    public static func run(_ o: Options) async throws -> [String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dash-bench-\(UUID().uuidString)/run")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        var fo = FixtureRun.Options()
        fo.workers = o.workers; fo.generations = o.generations; fo.epochsPerGeneration = o.epochs; fo.withModel = false
        let base = try FixtureRun.write(to: dir, options: fo)
        let reader = RunDirectoryReader(directory: dir)
        var snap = base
        let read = try time(5) { snap = try reader.snapshot(now: base.takenAt) }
        snap.run = base.run; snap.processes = base.processes; snap.jobs = base.jobs
        let page = time(5) { _ = DashboardPage.html(snap) }
        let fragments = time(5) { _ = DashboardAPI.reply(path: "/api/fragments", snapshot: snap) }
        let run = time(20) { _ = DashboardAPI.reply(path: "/api/run", snapshot: snap) }
        let metrics = time(20) { _ = RunMetrics.exposition(snap) }
        let cold = FixtureSource(directory: dir, base: base, cacheFiles: false)
        let warm = FixtureSource(directory: dir, base: base, cacheFiles: true)
        let uncached = try await requestsPerSecond(cold, cacheSeconds: 0, path: "/api/run", count: max(10, o.requests / 20))
        let fileCached = try await requestsPerSecond(warm, cacheSeconds: 0, path: "/api/run", count: max(10, o.requests / 20))
        let cached = try await requestsPerSecond(warm, cacheSeconds: 3600, path: "/api/run", count: o.requests)
        func ms(_ s: Double) -> String { String(format: "%.2f ms", s * 1000) }
        func ratio(_ s: Double) -> String { String(format: "×%.2f", s / read) }
        return [
            "run: \(o.workers) workers × \(o.generations) generations × \(o.epochs) epochs (\(snap.results.count) results, \(snap.metrics.count) metrics.csv files)",
            "read run directory (baseline)   \(ms(read))",
            "render page                     \(ms(page))  \(ratio(page)) of the read",
            "render /api/fragments           \(ms(fragments))  \(ratio(fragments))",
            "render /api/run                 \(ms(run))  \(ratio(run))",
            "render /metrics                 \(ms(metrics))  \(ratio(metrics))",
            String(format: "HTTP /api/run, re-reading the run each request (baseline): %.1f req/s", uncached),
            String(format: "HTTP /api/run, re-reading with the metrics.csv cache:      %.1f req/s  (×%.1f)", fileCached, fileCached / uncached),
            String(format: "HTTP /api/run, snapshot cached:                            %.0f req/s  (×%.0f)", cached, cached / uncached),
        ]
    }
}
