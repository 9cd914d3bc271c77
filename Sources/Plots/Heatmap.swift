/// A heatmap of values[row][column] with a sequential colour map and a min/max colour bar.
public struct Heatmap: Sendable {
    public var frame: ChartFrame
    public var values: [[Double]]

    public init(frame: ChartFrame, values: [[Double]]) {
        self.frame = frame; self.values = values
    }

    /// The SVG document: one `<rect>` per cell (with a tooltip), rows from top to bottom.
    public func svg() -> String {
        var f = frame
        f.marginRight = max(f.marginRight, 56)
        f.grid = false
        let rows = values.count, cols = values.map(\.count).max() ?? 0
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        guard rows > 0, cols > 0, let lo = finite.min(), let hi = finite.max() else { return f.emptyChart("no data") }
        let sx = Scale(exactLower: 0, upper: Double(cols), pixels: (f.plotLeft, f.plotRight))
        let sy = Scale(exactLower: 0, upper: Double(rows), pixels: (f.plotTop, f.plotBottom))
        var canvas = SVGCanvas(width: f.width, height: f.height)
        let cw = (f.plotRight - f.plotLeft) / Double(cols), ch = (f.plotBottom - f.plotTop) / Double(rows)
        for r in 0..<rows {
            for (c, v) in values[r].enumerated() {
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                canvas.rect(f.plotLeft + Double(c) * cw, f.plotTop + Double(r) * ch, cw + 0.3, ch + 0.3,
                            fill: v.isFinite ? Palette.sequential(t) : "#cccccc")
            }
        }
        f.drawAxes(&canvas, x: sx, y: sy)
        let barX = f.plotRight + 12
        for i in 0..<20 {
            let t = Double(19 - i) / 19
            canvas.rect(barX, f.plotTop + Double(i) * (f.plotBottom - f.plotTop) / 20, 12, (f.plotBottom - f.plotTop) / 20 + 0.3,
                        fill: Palette.sequential(t))
        }
        canvas.text(barX + 6, f.plotTop - 4, SVGText.number(hi), size: 9, anchor: .middle)
        canvas.text(barX + 6, f.plotBottom + 11, SVGText.number(lo), size: 9, anchor: .middle)
        return canvas.render(title: f.title)
    }
}
