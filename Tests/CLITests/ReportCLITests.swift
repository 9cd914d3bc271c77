import Foundation
import Testing
import TestSupport

/// `autolfads report` on the outputs of a model that a real `autolfads run` trained (not the
/// dashboard's fixture run): the final model's numbers it prints are those `autolfads evaluate`
/// computes independently from the same output file and the data file, and that output file is
/// the one the run's final posterior step wrote from the best worker's checkpoint.
@Suite struct ReportCLITests {
    @Test func reportOfATrainedRunAgreesWithEvaluate() async throws {
        let dir = try CLI.tempDir("report")
        // Small enough for about half a minute on 2 cores, long enough (2 × 12 epochs of 10 batches)
        // for the model to beat the mean-rate null model on the valid trials.
        try """
            name: rep
            data: \(CLI.lorenzSmall)
            population: 2
            max_generations: 2
            epochs_per_generation: 12
            ramp_epochs: 0
            posterior_samples: 2
            stopping: {enabled: false}
            model: {gen_dim: 8, fac_dim: 3, ic_enc_dim: 8, ci_enc_dim: 4, con_dim: 4, co_dim: 1, ic_dim: 4, batch_size: 16}
            """.write(toFile: dir + "/run.yaml", atomically: true, encoding: .utf8)
        let runDir = dir + "/store/runs/rep", best = runDir + "/best"
        let output = best + "/lfads_output_lorenz_small.h5"
        let run = try await CLI.run(["run", "--config", dir + "/run.yaml", "--storage", dir + "/store", "--slots", "2",
                                     "--no-dashboard"], seconds: 300)
        try #require(run.status == 0 && !run.timedOut, "run: \(run)")
        #expect(run.stdout.contains("outputs: \(best)\n"), "\(run.stdout)")

        // The output file comes from the run's final posterior step, sampled from the best worker's checkpoint.
        let summary = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: URL(fileURLWithPath: best + "/summary.json")))
        let (bw, bg, bestScore) = (summary.bestWorker, summary.bestGeneration, summary.bestScore)
        #expect(run.stdout.contains("writing the best model's outputs (worker \(bw), generation \(bg))"), "\(run.stdout)")
        let scores = try hpLogScores(runDir + "/hp_log.csv")
        #expect(scores.count == 4, "2 workers × 2 generations: \(scores)")
        let lowest = try #require(scores.min { $0.score < $1.score })
        #expect(lowest.worker == bw && lowest.generation == bg && lowest.score == bestScore, "best \(bw)/\(bg) \(bestScore); hp_log \(scores)")
        let workerCheckpoint = runDir + String(format: "/workers/w%03d/g%03d/checkpoint.bin", bw, bg)
        #expect(try Data(contentsOf: URL(fileURLWithPath: best + "/checkpoint.bin")) == Data(contentsOf: URL(fileURLWithPath: workerCheckpoint)),
                "best/checkpoint.bin is the checkpoint of worker \(bw) generation \(bg)")
        let job = try JSONDecoder().decode(PosteriorJob.self, from: Data(contentsOf: URL(fileURLWithPath: best + "/posterior-job.json")))
        // The rates are averaged over the run's best worker-generations (final_ensemble 10 > 4 here), best first.
        let others = scores.sorted { $0.score < $1.score }.dropFirst().map {
            runDir + String(format: "/workers/w%03d/g%03d/checkpoint.bin", $0.worker, $0.generation)
        }
        #expect(job.initCheckpoints == [best + "/checkpoint.bin"] + others, "\(job.initCheckpoints)")
        let posteriorLog = try String(contentsOfFile: best + "/posterior.log", encoding: .utf8)
        #expect(posteriorLog.hasPrefix("worker \(bw) generation \(bg) ") && posteriorLog.contains("wrote \(output)"), "\(posteriorLog)")

        let html = dir + "/report.html"
        let rep = try await CLI.run(["report", runDir, "--out", html])
        rep.expectSuccess(firstLine: "report: \(html) (", "report")
        #expect(!rep.stdout.contains("note:"), "nothing is missing for a finished run on data with truth and latents: \(rep.stdout)")
        let shown = try modelMetrics(String(contentsOfFile: html, encoding: .utf8))

        let ev = try await CLI.run(["evaluate", output, "--data", CLI.lorenzSmall, "--json"], seconds: 120)
        #expect(ev.status == 0 && !ev.timedOut, "evaluate: \(ev)")
        let e = try JSONDecoder().decode(Evaluation.self, from: Data(ev.stdout.utf8))
        #expect(e.split == "valid" && e.heldOutNeurons == 0 && e.forwardBins == 0, "\(e)")
        #expect(shown["output file"] == "lfads_output_lorenz_small.h5 (valid split, \(e.trials) trials)", "\(shown)")
        // No held-out neurons and no forward bins: the report's bits/spike is evaluate's held-in bits/spike.
        let bps = try #require(e.model.heldInBPS, "\(e)"), truthR2 = try #require(e.model.ratesTruthR2, "\(e)")
        let factorsR2 = try #require(e.model.factorsLatentsR2, "\(e)")
        for (row, value) in [("bits/spike", bps), ("rates vs truth R² (mean over neurons)", truthR2),
                             ("factors → latents affine R² (variance-weighted)", factorsR2)] {
            let text = try #require(shown[row], "report has no row '\(row)': \(shown)")
            #expect(Self.agrees(text, value), "report shows \(row) = \(text), evaluate computes \(value)")
        }
        // The run's closing line rounds the same numbers to 3 decimals.
        let fit = try #require(run.stdoutLines.first { $0.hasPrefix("best model: ") }, "\(run.stdout)")
        let fitNumbers = try NSRegularExpression(pattern: "^best model: (\\S+) bits/spike, rates vs truth R² (\\S+), factors → latents R² (\\S+)$")
        let f = String(fit), m = try #require(fitNumbers.firstMatch(in: f, range: NSRange(f.startIndex..., in: f)), "run printed '\(fit)'")
        for (i, value) in [bps, truthR2, factorsR2].enumerated() {
            let text = String(f[Range(m.range(at: i + 1), in: f)!])
            #expect(abs((Double(text) ?? .nan) - value) <= 0.0005 * (1 + 1e-6), "run printed \(text) in '\(fit)', evaluate computes \(value)")
        }
        // What a fixture cannot fake: a trained model beats the mean-rate null model (0 bits/spike, R² ≤ 0
        // against the truth) and stays below the true rates scored as a model (the ceiling).
        let oracle = try #require(e.oracle?.heldInBPS, "\(e)")
        print("report of a trained run: bits/spike \(bps) (true rates \(oracle)), rates vs truth R² \(truthR2), factors → latents R² \(factorsR2); report shows \(shown)")
        #expect(bps > 0.05 && bps < oracle, "bits/spike \(bps), true rates \(oracle)")
        #expect(truthR2 > 0 && factorsR2 > 0, "rates vs truth R² \(truthR2), factors → latents R² \(factorsR2)")
    }

    /// True when `value` rounds to `text`, a number the report printed with 4 significant digits.
    static func agrees(_ text: String, _ value: Double) -> Bool {
        guard let shown = Double(text), shown != 0 else { return false }
        let halfUnit = 0.5 * pow(10, floor(log10(abs(shown))) - 3)
        return abs(shown - value) <= halfUnit * (1 + 1e-6)
    }

    /// The rows of the report's `model-metrics` table: label → printed value.
    func modelMetrics(_ html: String) throws -> [String: String] {
        let table = try #require(html.range(of: "<table id=\"model-metrics\"><tbody>(.*?)</tbody>", options: .regularExpression),
                                 "the report has no model-metrics table")
        let rows = try NSRegularExpression(pattern: "<tr><td>(.*?)</td><td>(.*?)</td></tr>")
        let body = String(html[table])
        var out: [String: String] = [:]
        for m in rows.matches(in: body, range: NSRange(body.startIndex..., in: body)) {
            out[String(body[Range(m.range(at: 1), in: body)!])] = String(body[Range(m.range(at: 2), in: body)!])
        }
        return out
    }

    // The fields of best/summary.json, best/posterior-job.json and `evaluate --json` read here. JSONDecoder, not
    // JSONSerialization: on Linux the latter can read a printed Double one unit in the last place off.
    struct Summary: Decodable { var bestWorker: Int; var bestGeneration: Int; var bestScore: Double }
    struct PosteriorJob: Decodable { var initCheckpoints: [String] }
    struct Scores: Decodable { var heldInBPS: Double?; var ratesTruthR2: Double?; var factorsLatentsR2: Double? }
    struct Evaluation: Decodable {
        var split: String; var trials: Int; var heldOutNeurons: Int; var forwardBins: Int
        var model: Scores; var oracle: Scores?
    }

    /// (generation, worker, score) of each row of `hp_log.csv`.
    func hpLogScores(_ path: String) throws -> [(generation: Int, worker: Int, score: Double)] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let header = try #require(lines.first).split(separator: ",")
        let (g, w, s) = (try #require(header.firstIndex(of: "generation")), try #require(header.firstIndex(of: "worker")),
                         try #require(header.firstIndex(of: "score")))
        return try lines.dropFirst().map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return (try #require(Int(f[g])), try #require(Int(f[w])), try #require(Double(f[s])))
        }
    }
}
