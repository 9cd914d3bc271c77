/// Accumulates SVG elements; every text and attribute value passes through `SVGText.escape`.
public struct SVGCanvas {
    public let width: Double
    public let height: Double
    private var body: [String] = []

    public init(width: Double, height: Double) {
        self.width = width; self.height = height
    }

    /// Adds a raw, already-valid element (used internally; callers must escape).
    mutating func raw(_ element: String) { body.append(element) }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                              stroke: String, width: Double = 1, dash: String? = nil, cls: String? = nil) {
        var s = "<line x1=\"\(c(x1))\" y1=\"\(c(y1))\" x2=\"\(c(x2))\" y2=\"\(c(y2))\" stroke=\"\(e(stroke))\" stroke-width=\"\(c(width))\""
        if let dash { s += " stroke-dasharray=\"\(e(dash))\"" }
        if let cls { s += " class=\"\(e(cls))\"" }
        body.append(s + "/>")
    }

    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String,
                              stroke: String? = nil, title: String? = nil) {
        var s = "<rect x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(max(w, 0)))\" height=\"\(c(max(h, 0)))\" fill=\"\(e(fill))\""
        if let stroke { s += " stroke=\"\(e(stroke))\"" }
        if let title { body.append(s + "><title>\(e(title))</title></rect>") } else { body.append(s + "/>") }
    }

    public mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String, opacity: Double = 1, title: String? = nil) {
        let s = "<circle cx=\"\(c(x))\" cy=\"\(c(y))\" r=\"\(c(r))\" fill=\"\(e(fill))\" fill-opacity=\"\(c(opacity))\""
        if let title { body.append(s + "><title>\(e(title))</title></circle>") } else { body.append(s + "/>") }
    }

    /// A polyline path through `points` (pixel coordinates); nothing when fewer than one point.
    public mutating func path(_ points: [(Double, Double)], stroke: String, width: Double = 1.5,
                              dash: String? = nil, cls: String = "series", title: String? = nil, opacity: Double = 1) {
        guard let first = points.first else { return }
        var d = "M\(c(first.0)),\(c(first.1))"
        if points.count == 1 { d += " h0.01" }
        for p in points.dropFirst() { d += " L\(c(p.0)),\(c(p.1))" }
        var s = "<path class=\"\(e(cls))\" d=\"\(d)\" fill=\"none\" stroke=\"\(e(stroke))\" stroke-width=\"\(c(width))\" stroke-linejoin=\"round\" stroke-linecap=\"round\""
        if opacity < 1 { s += " stroke-opacity=\"\(c(opacity))\"" }
        if let dash { s += " stroke-dasharray=\"\(e(dash))\"" }
        if let title { body.append(s + "><title>\(e(title))</title></path>") } else { body.append(s + "/>") }
    }

    public enum Anchor: String { case start, middle, end }

    public mutating func text(_ x: Double, _ y: Double, _ text: String, size: Double = 11, anchor: Anchor = .start,
                              weight: String? = nil, rotate: Double? = nil, fill: String = "#333") {
        var s = "<text x=\"\(c(x))\" y=\"\(c(y))\" font-size=\"\(c(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(e(fill))\""
        if let weight { s += " font-weight=\"\(e(weight))\"" }
        if let rotate { s += " transform=\"rotate(\(c(rotate)) \(c(x)) \(c(y)))\"" }
        body.append(s + ">\(e(text))</text>")
    }

    /// The finished document (with an accessible title).
    public func render(title: String) -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(c(width)) \(c(height))\" width=\"\(c(width))\" height=\"\(c(height))\" font-family=\"sans-serif\" role=\"img\">"
        out += "<title>\(e(title))</title>"
        out += "<rect x=\"0\" y=\"0\" width=\"\(c(width))\" height=\"\(c(height))\" fill=\"#ffffff\"/>"
        out += body.joined()
        out += "</svg>"
        return out
    }

    private func c(_ x: Double) -> String { SVGText.coord(x) }
    private func e(_ s: String) -> String { SVGText.escape(s) }
}
