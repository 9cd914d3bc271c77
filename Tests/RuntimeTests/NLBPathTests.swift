import Foundation
import Testing
import Coordination
import Dashboard
@testable import Runtime

/// The README's NWB example end to end with the built binary: a synthetic NLB-layout NWB recording,
/// `data from-nwb`, a real `run` with `pbt.metric: valid_cobps`, then `evaluate` with the smoothing baseline.
@Suite(.serialized) struct NLBPathTests {
    /// Runs `autolfads args…` to completion in `dir`; returns the exit and the combined output.
    func autolfads(_ args: [String], in dir: String, log: String, timeout: Double = 240) async throws -> (ChildExit, String) {
        let p = try ChildProcess(executable: try TestSupport.autolfadsBinary(), arguments: args,
                                 environment: ProcessInfo.processInfo.environment, logPath: dir + "/" + log)
        let deadline = Date().addingTimeInterval(timeout)
        while p.exit == nil && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        let exit = p.exit == nil ? await p.terminate(grace: 2) : await p.wait()
        return (exit, (try? String(contentsOfFile: dir + "/" + log, encoding: .utf8)) ?? "")
    }

    @Test func nwbRecordingToNLBScores() async throws {
        let dir = TestSupport.tempDir("nlb-path")
        let nwb = dir + "/rec.nwb", h5 = dir + "/rec.h5"
        var (exit, out) = try await autolfads(["data", "synth", "nlb", "--out", nwb, "--trials", "80", "--neurons", "16"], in: dir, log: "synth.log")
        #expect(exit == .exited(0), "\(out)")
        (exit, out) = try await autolfads(["data", "from-nwb", nwb, "--out", h5, "--bin-ms", "20", "--align", "move_onset_time",
                                           "--window", "-250:450", "--forward-bins", "5", "--behavior", "hand_vel",
                                           "--behavior-lag", "100", "--condition", "trial_type", "trial_version"], in: dir, log: "convert.log")
        #expect(exit == .exited(0), "\(out)")
        (exit, out) = try await autolfads(["data", "inspect", h5], in: dir, log: "inspect.log")
        #expect(exit == .exited(0) && out.contains("problems: none") && out.contains("N_enc 12, N_recon 16"), "\(out)")

        let h = try ClusterHarness(label: "nlb-run", yaml: """
            data: \(h5)
            population: 2
            max_generations: 2
            posterior_samples: 2
            pbt: {metric: valid_cobps}
            model: {gen_dim: 16, fac_dim: 4, ic_enc_dim: 8, ci_enc_dim: 4, con_dim: 4, co_dim: 1, ic_dim: 8, batch_size: 32}
            """, objective: "lfads")
        #expect(h.config.metric == .validCobps && !h.config.minimize)
        let p = try h.start(["run", "--config", h.configPath, "--no-dashboard", "--slots", "2"], log: "run.log")
        #expect(await h.exit(of: p, timeout: 300) == .exited(0), "\(h.logs())")
        let runLog = try String(contentsOfFile: h.dir + "/run.log", encoding: .utf8)
        #expect(runLog.contains("best model: co-bps "), "the fit line leads with the NLB scores: \(runLog)")
        let store = try await h.openStore()
        let (_, jobs, _) = try await h.snapshot(store)
        #expect(jobs.count == 4 && jobs.allSatisfy { $0.status == .done })
        for j in jobs {
            // The score is the worker's valid co-bps: finite bits/spike, far from an NLL of ~0.5.
            let o = try #require(try j.result?.decode(JobOutcome.self))
            #expect(o.score.map { $0.isFinite && abs($0) < 1 } == true, "\(String(describing: o.score))")
        }
        await store.close()
        (exit, out) = try await autolfads(["status", "--store", h.config.store, h.config.name], in: h.dir, log: "status.log")
        #expect(out.contains("pbt.metric valid_cobps") && out.contains("higher is better"), "\(out)")

        let runDir = h.config.runDirectory
        (exit, out) = try await autolfads(["evaluate", runDir, "--baseline", "smoothing", "--json"], in: h.dir, log: "evaluate.log")
        #expect(exit == .exited(0), "\(out)")
        let json = try #require(out.firstIndex(of: "{").map { String(out[$0...]) })
        let e = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let model = e?["model"] as? [String: Any], smoothing = e?["smoothing"] as? [String: Any], oracle = e?["oracle"] as? [String: Any]
        for key in ["coBPS", "fpBPS", "velR2", "psthR2", "ratesTruthR2"] { #expect(model?[key] is NSNumber, "model \(key): \(json)") }
        #expect(smoothing?["coBPS"] is NSNumber && oracle?["coBPS"] is NSNumber, "\(json)")
        // Nothing beats the true rates on held-out neurons.
        if let m = (model?["coBPS"] as? NSNumber)?.doubleValue, let o = (oracle?["coBPS"] as? NSNumber)?.doubleValue { #expect(m < o) }
        #expect(FileManager.default.fileExists(atPath: runDir + "/best/evaluation.json"))
        let report = try String(contentsOfFile: runDir + "/report.html", encoding: .utf8)
        #expect(report.contains("id=\"nlb-metrics\""), "report.html shows the NLB table")
        // The dashboard of the finished run shows the best model's table from best/evaluation.json.
        let snap = try RunDirectoryReader(directory: URL(fileURLWithPath: runDir)).snapshot(now: Date())
        #expect(snap.evaluation?.model.coBPS != nil && snap.evaluation?.smoothing != nil)
        #expect(DashboardPage.html(snap).contains("id=\"best-model\""))
    }
}
