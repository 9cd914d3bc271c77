/// Spike raster: one row per neuron, a tick per bin with a nonzero count (taller for larger counts),
/// optionally with inferred rates drawn as a line inside each row.
public struct RasterPlot: Sendable {
    public var frame: ChartFrame
    /// counts[neuron][bin].
    public var counts: [[Double]]
    /// rates[neuron][bin] (counts per bin), same shape as `counts`, or nil.
    public var rates: [[Double]]?
    public var binLabel: String = "time bin"

    public init(frame: ChartFrame, counts: [[Double]], rates: [[Double]]? = nil) {
        self.frame = frame; self.counts = counts; self.rates = rates
    }

    /// The SVG document: ticks as `<line class="spike">`, rates as `<path class="series">` per neuron.
    public func svg() -> String {
        var f = frame
        if f.xLabel.isEmpty { f.xLabel = binLabel }
        if f.yLabel.isEmpty { f.yLabel = "neuron" }
        f.grid = false
        let neurons = counts.count
        let bins = counts.map(\.count).max() ?? 0
        guard neurons > 0, bins > 0 else { return f.emptyChart("no spikes to show") }
        let sx = Scale(exactLower: 0, upper: Double(bins), pixels: (f.plotLeft, f.plotRight))
        let rowH = (f.plotBottom - f.plotTop) / Double(neurons)
        var canvas = SVGCanvas(width: f.width, height: f.height)
        let sy = Scale(exactLower: 0, upper: Double(neurons), pixels: (f.plotBottom, f.plotTop))
        f.drawAxes(&canvas, x: sx, y: sy)
        let maxCount = max(counts.flatMap { $0 }.filter(\.isFinite).max() ?? 1, 1)
        let maxRate = max(rates?.flatMap { $0 }.filter(\.isFinite).max() ?? 1, 1e-9)
        for n in 0..<neurons {
            let rowBottom = f.plotBottom - Double(n) * rowH
            for (b, c) in counts[n].enumerated() where c.isFinite && c > 0 {
                guard let px = sx.pixel(Double(b) + 0.5) else { continue }
                let h = rowH * (0.35 + 0.55 * min(c / maxCount, 1))
                canvas.line(px, rowBottom - 1, px, rowBottom - 1 - h, stroke: "#222222", width: 1, cls: "spike")
            }
            if let rates, n < rates.count {
                let pts: [(Double, Double)] = rates[n].enumerated().compactMap { b, r in
                    guard r.isFinite, let px = sx.pixel(Double(b) + 0.5) else { return nil }
                    return (px, rowBottom - rowH * 0.95 * r / maxRate)
                }
                canvas.path(pts, stroke: Palette.color(3), width: 1.2, title: "neuron \(n) rate")
            }
        }
        return canvas.render(title: f.title)
    }
}
