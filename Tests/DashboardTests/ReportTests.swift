import TestSupport
import Foundation
import Testing
import LFADSData
import LFADSMetrics
import Plots
@testable import Dashboard

@Test func reportFromAFixtureRunHasFiguresAndModelMetrics() throws {
    let (dir, snap) = try fixture(withModel: true)
    defer { cleanup(dir.deletingLastPathComponent()) }
    let out = dir.deletingLastPathComponent().appendingPathComponent("out/report.html")
    try FileManager.default.createDirectory(at: out.deletingLastPathComponent(), withIntermediateDirectories: true)
    let o = try RunReport.write(runDirectory: dir, output: out)
    let html = try String(contentsOf: out, encoding: .utf8)
    let files = Set(o.figures.map(\.lastPathComponent))
    let hps = ["cd_rate", "dropout_rate", "kl_co_scale", "kl_ic_scale", "l2_con_scale", "l2_gen_scale", "lr_init"]
    let expected = Set(["scores.svg", "validation.svg", "raster-trial0.svg", "raster-trial1.svg", "factors-trial0.svg",
                        "factors-heatmap.svg", "inputs-trial0.svg", "rates-vs-truth.svg"] + hps.map { "hp-\($0).svg" })
    #expect(files == expected)
    for f in o.figures {
        #expect(f.deletingLastPathComponent().lastPathComponent == "report-figures")
        let doc = try #require(SVGInspector.parse(try String(contentsOf: f, encoding: .utf8)), "invalid SVG \(f.lastPathComponent)")
        #expect(!doc.all("path").isEmpty || !doc.all("circle").isEmpty || !doc.all("rect").isEmpty)
        #expect(html.contains("data-file=\"\(f.lastPathComponent)\""))
    }
    // Metrics equal an independent computation from the h5 file with LFADSMetrics.
    let h5 = try HDF5File(path: dir.appendingPathComponent("best/lfads_output_fixture.h5").path)
    let counts = try h5.readFloats("valid_data").values, rates = try h5.readFloats("valid_output_params").values
    let cf = try h5.readScalar("conversion_factor")
    let truth = try h5.readFloats("valid_truth").values.map { Float(Double($0) / cf) }
    let bps = try PoissonMetrics.bitsPerSpike(counts: counts, rates: rates, neurons: 12)
    #expect(o.bitsPerSpike == bps && bps > 0)
    #expect(o.ratesTruthR2 == (try RSquared.meanOverNeurons(predicted: rates, target: truth, neurons: 12)))
    #expect((o.ratesTruthR2 ?? 0) > 0.5)
    #expect((o.factorsLatentsR2 ?? 0) > 0.9)   // factors are an affine map of the latents + small noise
    #expect(html.contains(SVGTextNumber(bps)))
    let fit = try #require(RunDashboard.fitLine(o))
    #expect(fit.hasPrefix("best model: ") && fit.contains(String(format: "%.3f bits/spike", bps))
            && fit.contains("rates vs truth R² ") && fit.contains("factors → latents R² "), "\(fit)")
    var bare = o
    (bare.bitsPerSpike, bare.ratesTruthR2, bare.factorsLatentsR2) = (nil, .nan, nil)
    #expect(RunDashboard.fitLine(bare) == nil)
    // Raster: one spike tick per nonzero count of the first 12 neurons of trial 0.
    let raster = try #require(SVGInspector.parse(try String(contentsOf: out.deletingLastPathComponent().appendingPathComponent("report-figures/raster-trial0.svg"), encoding: .utf8)))
    let trial0: ArraySlice<Float> = counts[0..<(40 * 12)]
    let nonzero: Int = trial0.filter { $0 > 0 }.count
    #expect(raster.all("line", cls: "spike").count == nonzero)
    #expect(raster.all("path", cls: "series").count == 12)
    #expect(html.components(separatedBy: "<tr data-worker=").count - 1 == snap.workers.count)
    #expect(html.contains("id=\"decisions-table\""))
    #expect(o.notes.isEmpty)
}

func SVGTextNumber(_ x: Double) -> String { SVGText.number(x) }

@Test func reportStatesMissingPiecesInsteadOfFailing() throws {
    let (dir, _) = try fixture(withModel: false)
    defer { cleanup(dir.deletingLastPathComponent()) }
    let o = try RunReport.write(runDirectory: dir)
    #expect(o.html.path == dir.appendingPathComponent("report.html").path)
    #expect(o.notes.contains { $0.hasPrefix("no final model yet") })
    #expect(try String(contentsOf: o.html, encoding: .utf8).contains("no final model yet"))

    // A corrupt output file is reported, not fatal.
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("best"), withIntermediateDirectories: true)
    try Data("not hdf5".utf8).write(to: dir.appendingPathComponent("best/lfads_output_bad.h5"))
    let o2 = try RunReport.write(runDirectory: dir)
    #expect(o2.notes.contains { $0.contains("cannot read the final model output lfads_output_bad.h5") })

    // An empty run directory still yields a page.
    let empty = dir.deletingLastPathComponent().appendingPathComponent("empty-run")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    let o3 = try RunReport.write(runDirectory: empty)
    #expect(o3.notes.contains { $0.hasPrefix("no results yet") })
    #expect(throws: DashboardError.self) { try RunReport.write(runDirectory: empty.appendingPathComponent("missing")) }
}

@Test func pageAndReportFiguresAreDeterministic() throws {
    let (dir, snap) = try fixture(withModel: true)
    defer { cleanup(dir.deletingLastPathComponent()) }
    #expect(DashboardPage.html(snap) == DashboardPage.html(snap))
    let a = try RunReport.write(runDirectory: dir, output: dir.appendingPathComponent("a.html"), now: snap.takenAt)
    let b = try RunReport.write(runDirectory: dir, output: dir.appendingPathComponent("b.html"), now: snap.takenAt)
    for (x, y) in zip(a.figures, b.figures) { #expect(try Data(contentsOf: x) == Data(contentsOf: y)) }
    #expect(try String(contentsOf: a.html, encoding: .utf8).replacingOccurrences(of: "a-figures/", with: "")
            == String(contentsOf: b.html, encoding: .utf8).replacingOccurrences(of: "b-figures/", with: ""))
}

@Test func reportHasLoadSnippetsWithTheRealPathAndRefreshesTheReadme() throws {
    let (dir, _) = try fixture(withModel: true)
    defer { cleanup(dir.deletingLastPathComponent()) }
    try RunReport.write(runDirectory: dir)
    let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
    let path = dir.appendingPathComponent("best/lfads_output_fixture.h5").path
    #expect(html.contains("<h2>Load these outputs</h2>"))
    #expect(html.contains("h5py.File(&quot;\(path)&quot;, &quot;r&quot;)") && html.contains("f[&quot;valid_output_params&quot;][()]"))
    #expect(html.contains("file = &#39;\(path)&#39;;") && html.contains("h5read(file, &#39;/valid_output_params&#39;)"))
    let readme = try String(contentsOf: dir.appendingPathComponent("README.txt"), encoding: .utf8)
    #expect(readme.contains("best/lfads_output_fixture.h5") && readme.contains("hp_log.csv") && readme.contains("tensorboard --logdir"))
    // Without a final model there is nothing to load: no snippet.
    let (bare, _) = try fixture(withModel: false)
    defer { cleanup(bare.deletingLastPathComponent()) }
    try RunReport.write(runDirectory: bare)
    #expect(!(try String(contentsOf: bare.appendingPathComponent("report.html"), encoding: .utf8)).contains("Load these outputs"))
}

@Test func loadSnippetQuotesPathsForEachLanguage() {
    #expect(LoadSnippet.quoted("/a/it's \"x\"\\y.h5", quote: "'") == "'/a/it''s \"x\"\\y.h5'")
    #expect(LoadSnippet.quoted("/a/it's \"x\"\\y.h5", quote: "\"") == "\"/a/it's \\\"x\\\"\\\\y.h5\"")
}
