import Coordination
import Foundation
import LFADSData
import Plots
import FileSystem

/// `autolfads report`: a self-contained HTML page (inline SVG) plus the SVG files next to it, from a
/// run directory, during or after the run. Missing pieces are stated in the page, never fatal.
public enum RunReport {
    /// What was written.
    public struct Outcome: Sendable, Equatable {
        public var html: URL
        public var figures: [URL]
        /// One line per missing or failed piece ("no final model yet", …).
        public var notes: [String]
        /// Final-model metrics when computed.
        public var bitsPerSpike: Double?
        /// Output means vs data (non-Poisson observation models, instead of bits/spike).
        public var ratesDataR2: Double?
        public var ratesTruthR2: Double?
        public var factorsLatentsR2: Double?
        /// NLB scores of the final model (co-bps, fp-bps, vel R², PSTH R²) when the data allows them.
        public var nlb: NLBScores?
    }

    /// Writes `output` (default `<runDirectory>/report.html`) and its figures in `<output stem>-figures/`.
    /// `snapshot` overrides what is read from the directory (e.g. a live snapshot from the store).
    @discardableResult
    public static func write(runDirectory: URL, output: URL? = nil, snapshot: RunSnapshot? = nil,
                             now: Date = Date()) throws -> Outcome {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: runDirectory.path, isDirectory: &isDir), isDir.boolValue else {
            throw DashboardError("run directory \(runDirectory.path) does not exist; pass <storage>/runs/<run>")
        }
        let out = output ?? runDirectory.appendingPathComponent("report.html")
        let figDir = out.deletingLastPathComponent()
            .appendingPathComponent(out.deletingPathExtension().lastPathComponent + "-figures")
        let snap = try snapshot ?? RunDirectoryReader(directory: runDirectory).snapshot(now: now)

        var notes: [String] = []
        var figures: [(section: String, figure: Figure)] = []
        figures.append(("Search", Figure(file: "scores.svg", caption: "Best and median score per generation", svg: DashboardPlots.scores(snap))))
        figures.append(("Search", Figure(file: "validation.svg", caption: "Validation curves per worker", svg: DashboardPlots.validation(snap))))
        for hp in RunSummary.hpNames(snap) {
            figures.append(("Hyperparameters", Figure(file: "hp-\(safeFileName(hp)).svg", caption: "\(hp) across generations, coloured by lineage",
                                                    svg: DashboardPlots.hpTrajectory(hp, snapshot: snap))))
        }
        if snap.results.isEmpty { notes.append("no results yet (hp_log.csv missing or empty)") }
        if snap.decisions.isEmpty { notes.append("no PBT decisions yet (decisions.csv missing or empty)") }

        var model: ModelOutputs? = nil
        let outputs = modelOutputFiles(runDirectory.appendingPathComponent("best"))
        if outputs.isEmpty {
            notes.append("no final model yet (no lfads_output_*.h5 in \(runDirectory.appendingPathComponent("best").path))")
        } else {
            do {
                model = try ModelOutputs.load(path: outputs[0].path)
                // The dashboard shows the best model's NLB table from here (as `autolfads evaluate` writes it).
                if let e = model?.nlb {
                    let json = outputs[0].deletingLastPathComponent().appendingPathComponent("evaluation.json")
                    // Kept when `evaluate` wrote it for these outputs (it may hold the smoothing baseline too).
                    func modified(_ u: URL) -> Date? { (try? FileManager.default.attributesOfItem(atPath: u.path))?[.modificationDate] as? Date }
                    if (modified(json) ?? .distantPast) < (modified(outputs[0]) ?? .distantFuture) {
                        try AtomicFile.write(try NLBEvaluation.jsonEncoder.encode(e), to: json.path, createDirectories: false)
                    }
                }
                notes += model!.notes
                for f in ReportFigures.model(model!) { figures.append(("Final model", f)) }
                if model!.truth == nil { notes.append("the dataset has no truth; rates-vs-truth R² not computed") }
                if model!.latents == nil { notes.append("the dataset has no latents; factors → latents R² not computed") }
            } catch {
                notes.append("cannot read the final model output \(outputs[0].lastPathComponent): \(error)")
            }
        }

        try FileManager.default.createDirectory(at: figDir, withIntermediateDirectories: true)
        var written: [URL] = []
        for (_, f) in figures {
            let url = figDir.appendingPathComponent(f.file)
            try AtomicFile.write(Data(f.svg.utf8), to: url.path, createDirectories: false)
            written.append(url)
        }
        let html = page(snap, figures: figures, figureFolder: figDir.lastPathComponent, model: model, notes: notes, now: now)
        try AtomicFile.write(Data(html.utf8), to: out.path, createDirectories: false)
        // README.txt is documentation: a read-only run directory (someone else's run) does not fail the report.
        try? RunDirectoryReadme.write(runDirectory: runDirectory, run: snap.run.name, outputs: outputs.map(\.lastPathComponent))
        return Outcome(html: out, figures: written, notes: notes, bitsPerSpike: model?.bitsPerSpike,
                       ratesDataR2: model?.ratesDataR2, ratesTruthR2: model?.ratesTruthR2, factorsLatentsR2: model?.factorsLatentsR2, nlb: model?.nlb?.model)
    }

    /// `lfads_output_*.h5` files in `dir`, sorted.
    static func modelOutputFiles(_ dir: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasPrefix("lfads_output_") && $0.hasSuffix(".h5") }.sorted().map { dir.appendingPathComponent($0) }
    }

    static func safeFileName(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
    }

    static func page(_ s: RunSnapshot, figures: [(section: String, figure: Figure)], figureFolder: String, model: ModelOutputs?, notes: [String], now: Date) -> String {
        let h = SVGText.escape
        var body = "<h1>AutoLFADS report: \(h(s.run.name))</h1>"
        body += "<p class=\"muted\">generated \(ISO8601DateFormatter().string(from: now))</p>"
        body += "<h2>Overview</h2>" + HTMLFragments.overview(s)
        if !notes.isEmpty {
            body += "<h2>Missing or skipped</h2><ul id=\"notes\">" + notes.map { "<li>\(h($0))</li>" }.joined() + "</ul>"
        }
        if let m = model {
            body += "<h2>Final model metrics</h2><table id=\"model-metrics\"><tbody>"
            body += "<tr><td>output file</td><td>\(h((m.file as NSString).lastPathComponent)) (\(h(m.split)) split, \(m.rates.trials) trials)</td></tr>"
            if m.isSpikeCounts {
                body += "<tr><td>bits/spike</td><td>\(SVGText.number(m.bitsPerSpike))</td></tr>"
            } else {
                body += "<tr><td>output means vs data R² (\(h(m.observationModel ?? "continuous")) observations; bits/spike applies to spike counts only)</td><td>\(SVGText.number(m.ratesDataR2))</td></tr>"
            }
            body += "<tr><td>rates vs truth R² (mean over neurons)</td><td>\(SVGText.number(m.ratesTruthR2))</td></tr>"
            body += "<tr><td>factors → latents affine R² (variance-weighted)</td><td>\(SVGText.number(m.factorsLatentsR2))</td></tr>"
            body += "</tbody></table>"
            if let e = m.nlb { body += HTMLFragments.nlbMetrics(e) }
        }
        if let m = model { body += LoadSnippet.html(m) }
        var section = ""
        for (sec, f) in figures {
            if sec != section { body += (section.isEmpty ? "" : "</div>") + "<h2>\(h(sec))</h2><div class=\"plots\">"; section = sec }
            body += "<figure class=\"plot\" data-file=\"\(h(f.file))\">\(f.svg)<figcaption class=\"muted\">\(h(f.caption)) — <a href=\"\(h(figureFolder + "/" + f.file))\">\(h(f.file))</a></figcaption></figure>"
        }
        if !section.isEmpty { body += "</div>" }
        if !s.problems.isEmpty { body += "<h2>Failed jobs</h2>" + HTMLFragments.problems(s) }
        body += "<h2>Decision log</h2>" + HTMLFragments.decisions(s)
        body += "<h2>Final population</h2>" + HTMLFragments.workers(s)
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>AutoLFADS report · \(h(s.run.name))</title>
        <style>\(DashboardPage.css) figure{margin:0;padding:4px}</style></head><body>\(body)</body></html>
        """
    }
}
