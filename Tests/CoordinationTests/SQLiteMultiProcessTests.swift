import Foundation
import Testing
import TestSupport
@testable import Coordination

/// Real OS processes claiming from one SQLite file. The test binary re-executes itself with
/// `--filter sqliteClaimerChild` and an environment naming the database, so each child runs
/// `sqliteClaimerChild` (below) — the product's `SQLiteStore` code in a separate process with its own
/// SQLite connections and file locks. Each child registers, writes a "ready" file and waits for a "go"
/// file, which the parent writes once every child is ready, so they all claim at once.
@Suite struct SQLiteMultiProcessTests {
    static let childDB = "AUTOLFADS_TEST_CLAIMER_DB"
    static var isChild: Bool { ProcessInfo.processInfo.environment[childDB] != nil }

    @Test(.enabled(if: !SQLiteMultiProcessTests.isChild))
    func threeProcessesClaimDisjointJobs() async throws {
        let dir = TempDir.make()
        let db = dir.appendingPathComponent("shared.db").path
        let store = try await SQLiteStore(path: db)
        let f = try await Fixture.make(store, workers: 300)
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let go = dir.appendingPathComponent("go").path
        var children: [(TestProcess, String, String)] = []
        for i in 0..<3 {
            let out = dir.appendingPathComponent("claimed-\(i).txt").path
            var env = ProcessInfo.processInfo.environment
            env[Self.childDB] = db
            env["AUTOLFADS_TEST_CLAIMER_ID"] = "proc\(i)"
            env["AUTOLFADS_TEST_CLAIMER_OUT"] = out
            env["AUTOLFADS_TEST_CLAIMER_GO"] = go
            env["AUTOLFADS_TEST_CLAIMER_READY"] = out + ".ready"
            let log = dir.appendingPathComponent("child-\(i).log").path
            let p = try TestProcess(exe, ["--testing-library", "swift-testing", "--filter", "sqliteClaimerChild"],
                                    environment: env, output: .file(log))
            children.append((p, log, out))
        }
        // Go once every child has registered (its ready file exists), or one of them has died.
        let deadline = Date().addingTimeInterval(120)
        while !children.allSatisfy({ FileManager.default.fileExists(atPath: $0.2 + ".ready") || $0.0.finished }) && Date() < deadline {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        _ = FileManager.default.createFile(atPath: go, contents: Data())
        var perProcess: [[Int64]] = []
        for (p, logFile, out) in children {
            let status = await p.wait(seconds: 120).status
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            #expect(status == 0, "child failed: \(log.suffix(2000))")
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            perProcess.append(text.split(separator: "\n").compactMap { Int64($0) })
        }
        let all = perProcess.flatMap { $0 }
        #expect(all.count == 300, "claims per process: \(perProcess.map(\.count))")
        #expect(Set(all) == Set(f.jobIDs))
        #expect(perProcess.filter { !$0.isEmpty }.count >= 2, "only one process got jobs: \(perProcess.map(\.count))")
        let jobs = try await store.jobs(run: f.run.id, generation: 0)
        #expect(jobs.allSatisfy { $0.status == .done && $0.attempts == 1 })
        // Each job's completing process is the one that reported claiming it.
        for (i, ids) in perProcess.enumerated() {
            let set = Set(ids)
            #expect(jobs.filter { set.contains($0.id) }.allSatisfy { $0.claimedBy == "proc\(i)" })
        }
        await store.close()
    }

    /// Child-process entry point (runs only when re-executed by the test above).
    @Test(.enabled(if: SQLiteMultiProcessTests.isChild))
    func sqliteClaimerChild() async throws {
        let env = ProcessInfo.processInfo.environment
        let db = try #require(env[Self.childDB]), me = try #require(env["AUTOLFADS_TEST_CLAIMER_ID"])
        let out = try #require(env["AUTOLFADS_TEST_CLAIMER_OUT"]), go = try #require(env["AUTOLFADS_TEST_CLAIMER_GO"])
        let store = try await SQLiteStore(path: db)
        try await register(store, me, now: Date())
        _ = FileManager.default.createFile(atPath: try #require(env["AUTOLFADS_TEST_CLAIMER_READY"]), contents: Data())
        while !FileManager.default.fileExists(atPath: go) { try await Task.sleep(nanoseconds: 10_000_000) }
        var mine: [Int64] = []
        while let c = try await store.claimJob(process: me, leaseSeconds: 60, run: nil, now: Date()) {
            mine.append(c.job.id)
            #expect(try await store.completeJob(c.claim, result: JSONDocument(text: "{}"), now: Date()) == .accepted)
        }
        try mine.map(String.init).joined(separator: "\n").write(toFile: out, atomically: true, encoding: .utf8)
        await store.close()
    }
}
