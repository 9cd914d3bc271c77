import TestSupport
import Foundation
import Testing
@testable import Plots

@Test func escapesXMLSpecialCharacters() {
    #expect(SVGText.escape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;")
    #expect(SVGText.escape("bell\u{07}x") == "bellx")
}

@Test func formatsNumbersDeterministically() {
    #expect(SVGText.coord(12.5) == "12.5")
    #expect(SVGText.coord(3.0) == "3")
    #expect(SVGText.coord(-0.001) == "0")
    #expect(SVGText.number(0.00012) == "0.00012")
    #expect(SVGText.number(1234.4) == "1234")
    #expect(SVGText.number(nil) == "–")
}

@Test func lineChartHasOnePathPerSeriesAndALegend() throws {
    let chart = LineChart(frame: ChartFrame(title: "t", xLabel: "generation", yLabel: "score"),
                          series: [Series(name: "best", values: [3, 2, 1.5, 1]), Series(name: "median", values: [4, 3, 2.5, 2])])
    let svg = chart.svg()
    let doc = try #require(SVGInspector.parse(svg))
    let paths = doc.all("path", cls: "series")
    #expect(paths.count == 2)
    for p in paths { #expect((p.attributes["d"] ?? "").split(separator: "L").count == 4) }
    #expect(doc.all("line", cls: "legend").count == 2)
    #expect(doc.texts.contains("best") && doc.texts.contains("median") && doc.texts.contains("generation"))
    #expect(svg == chart.svg())   // deterministic
}

@Test func nonFiniteValuesBreakTheLine() throws {
    let svg = LineChart(frame: ChartFrame(), series: [Series(name: "s", values: [1, 2, .nan, 3, 4])]).svg()
    #expect(try #require(SVGInspector.parse(svg)).all("path", cls: "series").count == 2)
}

@Test func logAxisUsesPowersOfTenAndDropsNonPositive() throws {
    let s = Scale(kind: .log, values: [1e-5, 3e-3, 0, -1], pixels: (0, 100))
    #expect(s.lower == 1e-5 && s.upper == 1e-2)
    #expect(s.ticks.map { s.label($0) } == ["1e-5", "1e-4", "1e-3", "1e-2"])
    #expect(s.pixel(0) == nil)
    #expect(abs(s.pixel(1e-3)! - 200.0 / 3) < 1e-9)
    let svg = LineChart(frame: ChartFrame(), series: [Series(name: "kl", x: [0, 1, 2], y: [1e-5, 0, 1e-3])], yScale: .log).svg()
    let doc = try #require(SVGInspector.parse(svg))
    #expect(doc.texts.contains("1e-4"))
    #expect(doc.all("path", cls: "series").count == 2)
}

@Test func linearTicksAreNiceAndCoverTheData() {
    let s = Scale(kind: .linear, values: [0.13, 0.87], pixels: (0, 1))
    #expect(s.lower <= 0.13 && s.upper >= 0.87)
    #expect(s.ticks.count >= 3 && s.ticks.count <= 11)
    let step = s.ticks[1] - s.ticks[0]
    #expect([0.1, 0.2, 0.5].contains { abs($0 - step) < 1e-12 })
}

@Test func scatterDrawsEveryPointTheIdentityLineAndTheAnnotation() throws {
    let x = (0..<50).map { Double($0) / 10 }
    let svg = ScatterPlot(frame: ChartFrame(title: "rates"), x: x, y: x.map { $0 * 1.1 }, annotation: "R² = 0.950").svg()
    let doc = try #require(SVGInspector.parse(svg))
    #expect(doc.all("circle").count == 50)
    #expect(doc.all("path", cls: "identity").count == 1)
    #expect(doc.texts.contains("R² = 0.950"))
}

@Test func rasterHasATickPerNonzeroBinAndARatePathPerNeuron() throws {
    let counts: [[Double]] = [[0, 1, 0, 2], [1, 0, 0, 0], [0, 0, 0, 0]]
    let rates: [[Double]] = counts.map { $0.map { $0 * 0.5 + 0.1 } }
    let doc = try #require(SVGInspector.parse(RasterPlot(frame: ChartFrame(), counts: counts, rates: rates).svg()))
    #expect(doc.all("line", cls: "spike").count == 3)
    #expect(doc.all("path", cls: "series").count == 3)
}

@Test func heatmapHasACellPerValue() throws {
    let values: [[Double]] = [[0, 1, 2], [3, 4, .nan]]
    let doc = try #require(SVGInspector.parse(Heatmap(frame: ChartFrame(), values: values).svg()))
    // background + 6 cells + 20 colour-bar steps
    #expect(doc.all("rect").count == 1 + 6 + 20)
    #expect(Palette.sequential(0) == "#440154" && Palette.sequential(1) == "#fde725")
}

@Test func lineageChartLinksParentsAndColoursByGroup() throws {
    let nodes = [LineageNode(id: 0, x: 0, y: 1e-4, parent: nil, group: 0), LineageNode(id: 1, x: 0, y: 1e-5, parent: nil, group: 1),
                 LineageNode(id: 2, x: 1, y: 2e-4, parent: 0, group: 0),
                 LineageNode(id: 3, x: 1, y: 1.1e-4, parent: 0, group: 0, copied: true)]
    let doc = try #require(SVGInspector.parse(LineageChart(frame: ChartFrame(), nodes: nodes, yScale: .log).svg()))
    let links = doc.all("path", cls: "series")
    #expect(links.count == 2)
    #expect(links.filter { $0.attributes["stroke-dasharray"] != nil }.count == 1)
    #expect(Set(links.map { $0.attributes["stroke"] ?? "" }).count == 1)   // both in lineage 0
    #expect(doc.all("circle").count == 4)
}

@Test func hostileTextIsEscapedAndEmptyChartsStayValid() throws {
    let title = "</svg><script>alert(1)</script> & co"
    let svg = LineChart(frame: ChartFrame(title: title), series: [Series(name: "<b>", values: [1, 2])]).svg()
    let doc = try #require(SVGInspector.parse(svg))
    #expect(doc.all("script").isEmpty)
    #expect(doc.texts.contains(title))
    let empty = try #require(SVGInspector.parse(LineChart(frame: ChartFrame(title: "x"), series: []).svg()))
    #expect(empty.texts.contains("no data yet"))
    #expect(empty.all("path").isEmpty)
}

@Test func exactScaleKeepsItsBoundsForRastersAndHeatmaps() {
    let s = Scale(exactLower: 0, upper: 12, pixels: (100, 0))
    #expect(s.lower == 0 && s.upper == 12 && s.pixel(12) == 0 && s.pixel(0) == 100)
    #expect(s.ticks == [0, 5, 10])
}

@Test func coordinatesMatchTwoDecimalFormatting() {
    #expect(SVGText.coord(-0.25) == "-0.25" && SVGText.coord(0.05) == "0.05" && SVGText.coord(1.1) == "1.1")
    #expect(SVGText.coord(-3.999) == "-4" && SVGText.coord(1e20) == "100000000000000000000")
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
        let x = Double.random(in: -5000...5000, using: &rng)
        let reference = String(format: "%.2f", x)
        #expect(Double(SVGText.coord(x))! == Double(reference)! || abs(Double(SVGText.coord(x))! - x) <= 0.005 + 1e-9)
    }
}

@Test func longSeriesAreThinnedKeepingTheEnds() throws {
    let ys = (0..<5000).map { sin(Double($0) / 100) }
    let doc = try #require(SVGInspector.parse(LineChart(frame: ChartFrame(), series: [Series(name: "s", values: ys)]).svg()))
    let d = try #require(doc.all("path", cls: "series").first?.attributes["d"])
    let points = d.split(separator: "L").count
    #expect(points > 500 && points <= 601)
    let short = try #require(SVGInspector.parse(LineChart(frame: ChartFrame(), series: [Series(name: "s", values: [1, 2, 3])]).svg()))
    #expect(short.all("path", cls: "series").first?.attributes["d"]?.split(separator: "L").count == 3)
}
