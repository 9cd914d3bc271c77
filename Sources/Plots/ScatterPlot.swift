import Foundation

/// A scatter plot of predicted against true values, optionally with the identity line y = x and an
/// annotation (e.g. "R² = 0.93") in the top-left corner.
public struct ScatterPlot: Sendable {
    public var frame: ChartFrame
    public var x: [Double]
    public var y: [Double]
    public var identityLine: Bool = true
    public var annotation: String?
    public var color: String = Palette.color(0)
    /// At most this many points are drawn (evenly strided), keeping files small.
    public var maxPoints: Int = 4000

    public init(frame: ChartFrame, x: [Double], y: [Double], identityLine: Bool = true, annotation: String? = nil) {
        self.frame = frame; self.x = x; self.y = y; self.identityLine = identityLine; self.annotation = annotation
    }

    /// The SVG document: one `<circle>` per drawn point, the identity line as `<path class="identity">`.
    public func svg() -> String {
        let f = frame
        let pairs = zip(x, y).filter { $0.0.isFinite && $0.1.isFinite }
        guard !pairs.isEmpty else { return f.emptyChart("no data") }
        var values = pairs.map(\.0) + pairs.map(\.1)
        if !identityLine { values = [] }
        let sx = Scale(kind: .linear, values: identityLine ? values : pairs.map(\.0), pixels: (f.plotLeft, f.plotRight))
        let sy = Scale(kind: .linear, values: identityLine ? values : pairs.map(\.1), pixels: (f.plotBottom, f.plotTop))
        var canvas = SVGCanvas(width: f.width, height: f.height)
        f.drawAxes(&canvas, x: sx, y: sy)
        if identityLine {
            let lo = max(sx.lower, sy.lower), hi = min(sx.upper, sy.upper)
            if lo < hi, let x0 = sx.pixel(lo), let y0 = sy.pixel(lo), let x1 = sx.pixel(hi), let y1 = sy.pixel(hi) {
                canvas.path([(x0, y0), (x1, y1)], stroke: "#888888", width: 1, dash: "4,3", cls: "identity", title: "y = x")
            }
        }
        let stride = max(1, Int((Double(pairs.count) / Double(max(maxPoints, 1))).rounded(.up)))
        for i in Swift.stride(from: 0, to: pairs.count, by: stride) {
            let (a, b) = pairs[i]
            if let px = sx.pixel(a), let py = sy.pixel(b) { canvas.circle(px, py, r: 1.8, fill: color, opacity: 0.45) }
        }
        if let annotation { canvas.text(f.plotLeft + 8, f.plotTop + 16, annotation, size: 12, weight: "bold") }
        return canvas.render(title: f.title)
    }
}
