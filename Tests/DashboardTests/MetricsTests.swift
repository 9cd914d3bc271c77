import Foundation
import Testing
@testable import Dashboard

@Test func prometheusTextIsWellFormed() async throws {
    let (dir, snap) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    let text = try await withServer(snap) { base -> String in
        let (status, body, type) = try await httpGet(base + "/metrics")
        #expect(status == 200 && type.hasPrefix("text/plain; version=0.0.4"))
        return String(decoding: body, as: UTF8.self)
    }
    var samples: [String: Double] = [:]
    let sample = try Regex(#"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (\S+)$"#)
    var typed = Set<String>()
    for line in text.split(separator: "\n") {
        if line.hasPrefix("# TYPE ") { typed.insert(String(line.split(separator: " ")[2])); continue }
        if line.hasPrefix("# HELP ") { continue }
        #expect(try sample.wholeMatch(in: String(line)) != nil, "bad line: \(line)")
        let name = String(line.split(separator: " ")[0])
        let base = String(name.split(separator: "{")[0])
        #expect(typed.contains(base), "sample before its TYPE: \(line)")
        samples[name] = Double(line.split(separator: " ").last!)
    }
    #expect(samples["autolfads_slots{run=\"demo-run\",status=\"alive\"}"] == 2)
    #expect(samples["autolfads_slots{run=\"demo-run\",status=\"dead\"}"] == 1)
    #expect(samples["autolfads_slot_utilization{run=\"demo-run\"}"] == 0.5)
    #expect(samples["autolfads_jobs{run=\"demo-run\",status=\"failed\"}"] == 1)
    #expect(samples["autolfads_job_retries_total{run=\"demo-run\"}"] == 2)
    #expect(samples["autolfads_heartbeat_lag_max_seconds{run=\"demo-run\"}"] == 4)
    #expect(samples["autolfads_training_epochs_total{run=\"demo-run\"}"] == 120)
    // fixture: 5 epochs in (120 − worker) seconds per result
    let expected = 120.0 / snap.results.compactMap(\.seconds).reduce(0, +)
    #expect(abs(samples["autolfads_training_epochs_per_second{run=\"demo-run\"}"]! - expected) < 1e-9)
}

@Test func prometheusEscapesLabelsAndSkipsEmptyFamilies() throws {
    let (dir, snap) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    var s = snap
    s.run.name = "r\"1\\x\ny"
    let text = RunMetrics.exposition(s)
    #expect(text.contains("autolfads_slot_utilization{run=\"r\\\"1\\\\x\\ny\"} 0.5\n"), "\(text)")
    #expect(text.contains("# HELP autolfads_jobs Jobs by status.\n# TYPE autolfads_jobs gauge\n"))
    #expect(text.contains("# TYPE autolfads_job_retries_total counter\n"))
    s.processes = []
    let bare = RunMetrics.exposition(s)
    #expect(!bare.contains("autolfads_heartbeat_age_seconds"), "no alive slots: no samples, no family")
    #expect(bare.contains("autolfads_slot_utilization{run=") && bare.contains("} 0.0\n"))
}
