/// The common chart layout: title, plot area, axes with ticks and labels, optional legend.
public struct ChartFrame: Sendable {
    public var width: Double = 640
    public var height: Double = 360
    public var title: String = ""
    public var xLabel: String = ""
    public var yLabel: String = ""
    public var marginLeft: Double = 64
    public var marginRight: Double = 16
    public var marginTop: Double = 30
    public var marginBottom: Double = 46
    /// Horizontal grid lines at the y ticks.
    public var grid: Bool = true

    public init(width: Double = 640, height: Double = 360, title: String = "", xLabel: String = "", yLabel: String = "") {
        self.width = width; self.height = height; self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
    }

    var plotLeft: Double { marginLeft }
    var plotRight: Double { width - marginRight }
    var plotTop: Double { marginTop }
    var plotBottom: Double { height - marginBottom }

    /// Draws title, grid, axes, ticks and axis labels.
    func drawAxes(_ canvas: inout SVGCanvas, x: Scale, y: Scale) {
        if !title.isEmpty { canvas.text(width / 2, 18, title, size: 13, anchor: .middle, weight: "bold") }
        for t in y.ticks {
            guard let py = y.pixel(t) else { continue }
            if grid { canvas.line(plotLeft, py, plotRight, py, stroke: "#e6e6e6", cls: "grid") }
            canvas.line(plotLeft - 4, py, plotLeft, py, stroke: "#333")
            canvas.text(plotLeft - 6, py + 3.5, y.label(t), size: 10, anchor: .end)
        }
        for t in x.ticks {
            guard let px = x.pixel(t) else { continue }
            canvas.line(px, plotBottom, px, plotBottom + 4, stroke: "#333")
            canvas.text(px, plotBottom + 15, x.label(t), size: 10, anchor: .middle)
        }
        canvas.line(plotLeft, plotBottom, plotRight, plotBottom, stroke: "#333", cls: "axis")
        canvas.line(plotLeft, plotTop, plotLeft, plotBottom, stroke: "#333", cls: "axis")
        if !xLabel.isEmpty { canvas.text((plotLeft + plotRight) / 2, height - 10, xLabel, size: 11, anchor: .middle) }
        if !yLabel.isEmpty { canvas.text(14, (plotTop + plotBottom) / 2, yLabel, size: 11, anchor: .middle, rotate: -90) }
    }

    /// Width of the legend box for these entries.
    static func legendWidth(_ entries: [(name: String, color: String, dash: String?)]) -> Double {
        Double(entries.prefix(12).map { $0.name.count }.max() ?? 0) * 6.2 + 34
    }

    /// Reserves room right of the plot area for a legend (call before building scales).
    mutating func reserveLegend(_ entries: [(name: String, color: String, dash: String?)]) {
        marginRight = max(marginRight, min(Self.legendWidth(entries), width / 3) + 14)
    }

    /// Draws a legend box in the top-right corner of the plot area, or right of it when `outside`
    /// (after `reserveLegend`).
    func drawLegend(_ canvas: inout SVGCanvas, entries: [(name: String, color: String, dash: String?)], outside: Bool = false) {
        guard !entries.isEmpty else { return }
        let shown = entries.prefix(12)
        let w = outside ? marginRight - 12 : min(Self.legendWidth(entries), (plotRight - plotLeft) / 2)
        let h = Double(shown.count) * 15 + 6 + (entries.count > shown.count ? 15 : 0)
        let x0 = outside ? plotRight + 8 : plotRight - w - 6, y0 = plotTop + (outside ? 0 : 6)
        canvas.rect(x0, y0, w, h, fill: "#ffffff", stroke: "#cccccc")
        for (i, entry) in shown.enumerated() {
            let yy = y0 + 12 + Double(i) * 15
            canvas.line(x0 + 6, yy - 3.5, x0 + 24, yy - 3.5, stroke: entry.color, width: 2.5, dash: entry.dash, cls: "legend")
            canvas.text(x0 + 28, yy, entry.name, size: 10)
        }
        if entries.count > shown.count {
            canvas.text(x0 + 6, y0 + 12 + Double(shown.count) * 15, "+\(entries.count - shown.count) more", size: 10)
        }
    }

    /// A frame with a centred message, for charts with nothing to show.
    func emptyChart(_ message: String) -> String {
        var canvas = SVGCanvas(width: width, height: height)
        if !title.isEmpty { canvas.text(width / 2, 18, title, size: 13, anchor: .middle, weight: "bold") }
        canvas.rect(plotLeft, plotTop, plotRight - plotLeft, plotBottom - plotTop, fill: "#fafafa", stroke: "#dddddd")
        canvas.text(width / 2, (plotTop + plotBottom) / 2, message, size: 12, anchor: .middle, fill: "#888")
        return canvas.render(title: title.isEmpty ? message : title)
    }
}
