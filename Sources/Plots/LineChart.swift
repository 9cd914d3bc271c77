/// One named line of (x, y) points. Non-finite points (and non-positive ones on a log axis) break the line.
public struct Series: Sendable, Equatable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    /// A CSS colour; nil = the palette colour of the series index.
    public var color: String?
    public var dashed: Bool
    public var markers: Bool

    public init(name: String, x: [Double], y: [Double], color: String? = nil, dashed: Bool = false, markers: Bool = false) {
        self.name = name; self.x = x; self.y = y; self.color = color; self.dashed = dashed; self.markers = markers
    }

    /// A series over x = 0, 1, 2, …
    public init(name: String, values: [Double], color: String? = nil, dashed: Bool = false) {
        self.init(name: name, x: values.indices.map(Double.init), y: values, color: color, dashed: dashed)
    }
}

/// A line chart with axes, ticks, labels and a legend. Each series draws one `<path class="series">`
/// per unbroken run of points.
public struct LineChart: Sendable {
    public var frame: ChartFrame
    public var series: [Series]
    public var xScale: AxisScale = .linear
    public var yScale: AxisScale = .linear
    public var legend: Bool = true
    public var lineWidth: Double = 1.5
    public var emptyMessage: String = "no data yet"
    /// Draw the legend right of the plot area instead of inside it.
    public var legendOutside: Bool = false
    /// Longer series are thinned to about this many points (evenly strided, last point kept) to keep SVGs small.
    public var maxPointsPerSeries: Int = 600

    public init(frame: ChartFrame, series: [Series], xScale: AxisScale = .linear, yScale: AxisScale = .linear,
                legend: Bool = true) {
        self.frame = frame; self.series = series; self.xScale = xScale; self.yScale = yScale; self.legend = legend
    }

    /// The SVG document.
    public func svg() -> String {
        var f = frame
        let showLegend = legend && (series.count > 1 || (series.count == 1 && !series[0].name.isEmpty && series[0].name != f.yLabel))
        let planned = series.enumerated().map { (name: $0.element.name, color: $0.element.color ?? Palette.color($0.offset), dash: String?.none) }
        if showLegend && legendOutside { f.reserveLegend(planned) }
        let xs = series.flatMap { s in zip(s.x, s.y).filter { $0.1.isFinite }.map { $0.0 } }
        let ys = series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite }.map { $0.1 } }
        let usable = zip(xs, ys).contains { x, y in
            x.isFinite && y.isFinite && (xScale == .linear || x > 0) && (yScale == .linear || y > 0)
        }
        guard usable else { return f.emptyChart(emptyMessage) }
        let sx = Scale(kind: xScale, values: xs, pixels: (f.plotLeft, f.plotRight))
        let sy = Scale(kind: yScale, values: ys, pixels: (f.plotBottom, f.plotTop))
        var canvas = SVGCanvas(width: f.width, height: f.height)
        f.drawAxes(&canvas, x: sx, y: sy)
        var entries: [(name: String, color: String, dash: String?)] = []
        for (i, s) in series.enumerated() {
            let color = s.color ?? Palette.color(i)
            let dash = s.dashed ? "5,3" : nil
            var run: [(Double, Double)] = []
            let n = min(s.x.count, s.y.count)
            let stride = max(1, Int((Double(n) / Double(max(maxPointsPerSeries, 2))).rounded(.up)))
            let kept = Swift.stride(from: 0, to: n, by: stride).map { $0 } + (n > 0 && (n - 1) % stride != 0 ? [n - 1] : [])
            for i in kept {
                let x = s.x[i], y = s.y[i]
                if let px = sx.pixel(x), let py = sy.pixel(y) {
                    run.append((px, py))
                    if s.markers { canvas.circle(px, py, r: 2.5, fill: color, title: "\(s.name): \(SVGText.number(x)), \(SVGText.number(y))") }
                } else if !run.isEmpty {
                    canvas.path(run, stroke: color, width: lineWidth, dash: dash, title: s.name); run = []
                }
            }
            if !run.isEmpty { canvas.path(run, stroke: color, width: lineWidth, dash: dash, title: s.name) }
            entries.append((s.name, color, dash))
        }
        if showLegend { f.drawLegend(&canvas, entries: entries, outside: legendOutside) }
        return canvas.render(title: f.title)
    }
}
