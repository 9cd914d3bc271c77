import ArgumentParser
import Benchmarks
import Coordination
import Foundation
import Runtime

/// `autolfads bench store`: claims and heartbeats per second of the coordination store.
struct BenchStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Measure coordination-store throughput (claims, heartbeats) with simulated clients."
    )

    @Option(help: "sqlite or postgres.") var backend: String = "sqlite"
    @Option(help: "Store URL (sqlite:///path.db or postgres://user@host:port/db); default: a temporary SQLite file.")
    var url: String?
    @Option(help: "Simulated clients.") var clients: Int = 100
    @Option(help: "Seconds to run.") var seconds: Double = 5

    func run() async throws {
        let target: String
        var tempDir: URL?
        switch (backend, url) {
        case (_, let u?): target = u
        case ("sqlite", nil):
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("autolfads-bench-\(getpid())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            tempDir = dir
            target = "sqlite://" + dir.appendingPathComponent("bench.db").path
        case ("postgres", nil):
            throw ValidationError("--backend postgres needs --url postgres://user@host:port/db (password in AUTOLFADS_DB_PASSWORD)")
        default:
            throw ValidationError("--backend must be sqlite or postgres, not '\(backend)'")
        }
        defer { if let tempDir { try? FileManager.default.removeItem(at: tempDir) } }
        let clients = self.clients, seconds = self.seconds
        let store = try await openCoordinationStore(target)
        let result: String
        do { result = "\(try await StoreBenchmark.run(store: store, clients: clients, seconds: seconds))" } catch { await store.close(); throw error }
        await store.close()   // before the temporary folder is removed
        print("store \(store.location): \(result)")
    }
}
