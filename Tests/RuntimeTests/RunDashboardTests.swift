import Coordination
import Dashboard
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import Runtime

/// `autolfads run` serves the live dashboard and writes `report.html`; the dashboard's store adapter
/// reads what the runtime really writes (run config keys, job results, CSV logs).
@Suite(.serialized) struct RunDashboardTests {
    private func get<T: Decodable>(_ url: String, as type: T.Type) async throws -> T {
        let (data, resp) = try await URLSession.shared.data(from: URL(string: url)!)
        #expect((resp as? HTTPURLResponse)?.statusCode == 200, "\(url): \(String(decoding: data, as: UTF8.self))")
        let d = JSONDecoder(); d.dateDecodingStrategy = .iso8601
        return try d.decode(T.self, from: data)
    }

    @Test func runServesDashboardAndWritesReport() async throws {
        let h = try ClusterHarness(label: "dash-run", yaml: "population: 3\nmax_generations: 2\n")
        let p = try h.start(["run", "--config", h.configPath, "--slots", "2", "--dashboard-port", "0"], log: "run.log")
        #expect(await h.exit(of: p) == .exited(0), "\(h.logs())")
        let out = try String(contentsOfFile: h.dir + "/run.log", encoding: .utf8)
        #expect(out.contains("dashboard: http://127.0.0.1:"), "\(out)")
        let reportPath = h.config.runDirectory + "/report.html"
        #expect(out.contains("report: ") && out.contains("report.html"), "\(out)")
        let html = try String(contentsOfFile: reportPath, encoding: .utf8)
        #expect(html.contains("<svg"), "report has inline plots")
        #expect(html.contains("Final population"), "report lists the population")
        #expect(FileManager.default.fileExists(atPath: h.config.runDirectory + "/report-figures/scores.svg"))

        // The same adapter the run serves, on the finished run's store: real workers and generations.
        let store = try await h.openStore()
        let d = await RunDashboard.start(store: store, storage: h.config.storage, run: h.config.name, port: 0)
        let url = try #require(d.url, "\(d.warning ?? "")")
        let workers = try await get(url + "api/workers", as: [WorkerRow].self)
        #expect(workers.map(\.worker).sorted() == [0, 1, 2], "\(workers)")
        #expect(workers.allSatisfy { $0.score?.isFinite == true && !$0.hps.isEmpty }, "\(workers)")
        let gens = try await get(url + "api/generations", as: [GenerationSummary].self)
        #expect(gens.map(\.generation) == [0, 1], "\(gens)")
        #expect(gens.allSatisfy { $0.results == 3 && $0.failed == 0 && $0.best?.isFinite == true }, "\(gens)")
        struct Overview: Decodable { struct Run: Decodable { var population: Int?; var maxGenerations: Int?; var mode: String? }; var run: Run }
        let o = try await get(url + "api/run", as: Overview.self)
        #expect(o.run.population == 3 && o.run.maxGenerations == 2 && o.run.mode == "sync", "\(o)")

        // A busy port is a warning, never a failure.
        let busy = Int(url.split(separator: ":").last!.dropLast())!
        let second = await RunDashboard.start(store: store, storage: h.config.storage, run: h.config.name, port: busy)
        #expect(second.server == nil && second.warning?.contains("dashboard not started") == true)
        await d.server?.stop()
        await store.close()
    }
}
