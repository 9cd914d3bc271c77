import TestSupport
import Foundation
import Testing
@testable import Dashboard

/// A real server on a loopback port serving the fixture snapshot.
func withServer<T>(_ snap: RunSnapshot, host: String = "127.0.0.1", token: String? = nil,
                   _ body: (String) async throws -> T) async throws -> T {
    let server = try DashboardServer(source: StaticSnapshotSource(snap), host: host, port: 0, token: token, cacheSeconds: 0)
    let port = try await server.start()
    do {
        let r = try await body("http://127.0.0.1:\(port)")
        await server.stop()
        return r
    } catch { await server.stop(); throw error }
}

@Test func jsonAPIServesTheRun() async throws {
    let (dir, snap) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    try await withServer(snap) { base in
        let (status, body, type) = try await httpGet(base + "/api/run")
        #expect(status == 200 && type.hasPrefix("application/json"))
        let o = try decoder().decode(RunOverview.self, from: body)
        #expect(o.run.name == "demo-run" && o.run.maxGenerations == 8 && o.completedGenerations == 4)
        #expect(o.bestScore == snap.results.compactMap(\.score).min())
        #expect(abs((o.etaSeconds ?? 0) - 480) < 1e-6)

        let workers = try decoder().decode([WorkerRow].self, from: try await httpGet(base + "/api/workers").1)
        #expect(workers.count == 6 && workers == snap.workers)

        let gens = try decoder().decode([GenerationSummary].self, from: try await httpGet(base + "/api/generations").1)
        #expect(gens.map(\.generation) == [0, 1, 2, 3] && gens[1].failed == 1)

        let decisions = try decoder().decode([DecisionRow].self, from: try await httpGet(base + "/api/decisions").1)
        #expect(decisions.count == 18 && decisions == snap.decisions)

        let procs = try decoder().decode([ProcessRow].self, from: try await httpGet(base + "/api/processes").1)
        #expect(procs.map(\.status) == [.alive, .alive, .dead])
        let problems = try decoder().decode([ProblemRow].self, from: try await httpGet(base + "/api/problems").1)
        #expect(problems == snap.problems)

        let names = try decoder().decode([String].self, from: try await httpGet(base + "/api/plots").1)
        #expect(names.contains("scores") && names.contains("hp-kl_co_scale") && names.contains("validation"))

        let missing = try await httpGet(base + "/api/plots/nope.svg")
        #expect(missing.0 == 404)
        #expect(String(decoding: missing.1, as: UTF8.self).contains("no plot named"))
        let st1 = try await httpGet(base + "/api/nothing").0
        #expect(st1 == 404)
    }
}

@Test func plotsAreValidSVGWithTheExpectedSeries() async throws {
    let (dir, snap) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    try await withServer(snap) { base in
        let (status, body, type) = try await httpGet(base + "/api/plots/scores.svg")
        #expect(status == 200 && type.hasPrefix("image/svg+xml"))
        let scores = try #require(SVGInspector.parse(String(decoding: body, as: UTF8.self)))
        let paths = scores.all("path", cls: "series")
        #expect(paths.count == 2)   // best, median
        #expect(paths.allSatisfy { ($0.attributes["d"] ?? "").split(separator: "L").count == 4 })

        let validation = try #require(SVGInspector.parse(String(decoding: try await httpGet(base + "/api/plots/validation.svg").1, as: UTF8.self)))
        #expect(validation.all("path", cls: "series").count == 6)   // one curve per worker

        let kl = try #require(SVGInspector.parse(String(decoding: try await httpGet(base + "/api/plots/hp-kl_co_scale.svg").1, as: UTF8.self)))
        #expect(kl.all("circle").count == 24)                       // one node per worker-generation
        #expect(kl.all("path", cls: "series").count == 18)          // one link per later node
        #expect(kl.texts.contains("kl_co_scale (log)"))
        let copies = snap.decisions.filter { $0.action == "copy" }.count
        #expect(kl.all("path", cls: "series").filter { $0.attributes["stroke-dasharray"] != nil }.count == copies)
    }
}

@Test func pageAndFragmentsContainTablesAndPlots() async throws {
    let (dir, snap) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    try await withServer(snap) { base in
        let (status, body, type) = try await httpGet(base + "/")
        #expect(status == 200 && type.hasPrefix("text/html"))
        let html = String(decoding: body, as: UTF8.self)
        #expect(html.components(separatedBy: "<tr data-worker=").count - 1 == 6)
        #expect(html.components(separatedBy: "<tr data-process=").count - 1 == 3)
        #expect(html.contains("api/fragments"))
        #expect(!html.contains("<script src") && !html.contains("<link"))   // nothing external
        let f = try decoder().decode(DashboardPage.Fragments.self, from: try await httpGet(base + "/api/fragments").1)
        #expect(f.workers.contains("data-worker=\"5\""))
        #expect(Set(f.plots.keys) == Set(DashboardPlots.names(snap)))
        for svg in f.plots.values { #expect(SVGInspector.parse(svg) != nil) }
    }
}

@Test func tokenIsEnforced() async throws {
    let (dir, snap) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    #expect(throws: DashboardError.self) { try DashboardServer(source: StaticSnapshotSource(snap), host: "0.0.0.0", port: 0) }
    try await withServer(snap, host: "0.0.0.0", token: "s3cret") { base in
        let st2 = try await httpGet(base + "/api/run").0
        #expect(st2 == 401)
        let st3 = try await httpGet(base + "/metrics").0
        #expect(st3 == 401)
        let st4 = try await httpGet(base + "/api/run?token=wrong").0
        #expect(st4 == 401)
        let st5 = try await httpGet(base + "/api/run", bearer: "s3cre").0
        #expect(st5 == 401)
        let st6 = try await httpGet(base + "/api/run?token=s3cret").0
        #expect(st6 == 200)
        let st7 = try await httpGet(base + "/api/run", bearer: "s3cret").0
        #expect(st7 == 200)
    }
    #expect(TokenCheck.constantTimeEqual("abc", "abc") && !TokenCheck.constantTimeEqual("abc", "abd") && !TokenCheck.constantTimeEqual("abc", "ab"))
    #expect(TokenCheck.authorized(expected: nil, queryToken: nil, authorization: nil))
}

@Test func liveUpdatesAreServed() async throws {
    let (dir, snap) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    let source = StaticSnapshotSource(snap)
    let server = try DashboardServer(source: source, port: 0, cacheSeconds: 0)
    let port = try await server.start()
    defer { Task { await server.stop() } }
    var next = snap
    next.run.generation = 5
    next.run.status = .done
    source.update(next)
    let o = try decoder().decode(RunOverview.self, from: try await httpGet("http://127.0.0.1:\(port)/api/run").1)
    #expect(o.run.generation == 5 && o.etaSeconds == nil)
    await server.stop()
}

@Test func unreadableRunGivesAClearError() async throws {
    let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-run-\(UUID().uuidString)")
    let server = try DashboardServer(source: RunDirectorySource(directory: missing), port: 0, cacheSeconds: 0)
    let port = try await server.start()
    let (status, body, _) = try await httpGet("http://127.0.0.1:\(port)/api/run")
    await server.stop()
    #expect(status == 503)
    let e = try JSONDecoder().decode([String: String].self, from: body)
    #expect(e["error"]?.contains("does not exist; pass <storage>/runs/<run>") == true)
}

@Test func portInUseIsAClearError() async throws {
    let (dir, snap) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    let first = try DashboardServer(source: StaticSnapshotSource(snap), port: 0)
    let port = try await first.start()
    let second = try DashboardServer(source: StaticSnapshotSource(snap), port: port)
    do {
        _ = try await second.start()
        Issue.record("a second server bound the same port")
    } catch let e as DashboardError {
        #expect(e.message.contains("cannot serve on 127.0.0.1:\(port)") && e.message.contains("pass another --port"))
    }
    await second.stop()
    await first.stop()
}
