/// One point of a lineage plot: a worker's value at a generation, linked to the point it started from.
public struct LineageNode: Sendable, Equatable {
    public var id: Int
    public var x: Double
    public var y: Double
    /// The `id` of the node this one continues (its own previous generation, or the donor after a copy).
    public var parent: Int?
    /// Lineage colour group (e.g. the generation-0 ancestor).
    public var group: Int
    /// True when this node was reached by copying another worker (drawn dashed).
    public var copied: Bool
    public var label: String

    public init(id: Int, x: Double, y: Double, parent: Int?, group: Int, copied: Bool = false, label: String = "") {
        self.id = id; self.x = x; self.y = y; self.parent = parent; self.group = group; self.copied = copied; self.label = label
    }
}

/// Hyperparameter (or score) trajectories across generations: one segment per parent → child link,
/// coloured by lineage group, on a linear or log y axis.
public struct LineageChart: Sendable {
    public var frame: ChartFrame
    public var nodes: [LineageNode]
    public var yScale: AxisScale
    /// Legend names per group (e.g. "lineage of w3"); groups without a name get "lineage <g>".
    public var groupNames: [Int: String] = [:]

    public init(frame: ChartFrame, nodes: [LineageNode], yScale: AxisScale = .linear, groupNames: [Int: String] = [:]) {
        self.frame = frame; self.nodes = nodes; self.yScale = yScale; self.groupNames = groupNames
    }

    /// The SVG document: one `<path class="series">` per link, one `<circle>` per node.
    public func svg() -> String {
        var f = frame
        let usable = nodes.filter { $0.x.isFinite && $0.y.isFinite && (yScale == .linear || $0.y > 0) }
        guard !usable.isEmpty else { return f.emptyChart("no data yet") }
        let groups = Array(Set(usable.map(\.group))).sorted()
        let colorOf = Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($0.element, Palette.color($0.offset)) })
        let entries = groups.map { g in (name: groupNames[g] ?? "lineage \(g)", color: colorOf[g]!, dash: String?.none) }
        if entries.count > 1 { f.reserveLegend(entries) }
        let sx = Scale(kind: .linear, values: usable.map(\.x), pixels: (f.plotLeft, f.plotRight))
        let sy = Scale(kind: yScale, values: usable.map(\.y), pixels: (f.plotBottom, f.plotTop))
        var canvas = SVGCanvas(width: f.width, height: f.height)
        f.drawAxes(&canvas, x: sx, y: sy)
        let byID = Dictionary(usable.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for n in usable.sorted(by: { ($0.x, $0.id) < ($1.x, $1.id) }) {
            guard let p = n.parent.flatMap({ byID[$0] }),
                  let x0 = sx.pixel(p.x), let y0 = sy.pixel(p.y), let x1 = sx.pixel(n.x), let y1 = sy.pixel(n.y) else { continue }
            canvas.path([(x0, y0), (x1, y1)], stroke: colorOf[n.group]!, width: 1.4, dash: n.copied ? "4,2" : nil,
                        title: n.label, opacity: 0.85)
        }
        for n in usable {
            if let px = sx.pixel(n.x), let py = sy.pixel(n.y) {
                canvas.circle(px, py, r: 2.6, fill: colorOf[n.group]!, title: n.label.isEmpty ? nil : n.label)
            }
        }
        if entries.count > 1 { f.drawLegend(&canvas, entries: entries, outside: true) }
        return canvas.render(title: f.title)
    }
}
