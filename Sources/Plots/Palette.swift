/// Colour choices: a categorical palette for series and lineages, a sequential map for heatmaps.
public enum Palette {
    /// Ten distinguishable colours (colour-blind friendly order first).
    public static let categorical = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                     "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// The categorical colour for index `i` (wraps around).
    public static func color(_ i: Int) -> String { categorical[((i % categorical.count) + categorical.count) % categorical.count] }

    /// A sequential dark-blue → yellow colour for `t` in [0, 1] (viridis-like, five stops, linear in between).
    public static func sequential(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let x = t.isFinite ? min(max(t, 0), 1) : 0
        let pos = x * Double(stops.count - 1)
        let i = min(Int(pos), stops.count - 2)
        let f = pos - Double(i)
        let a = stops[i], b = stops[i + 1]
        func mix(_ u: Double, _ v: Double) -> Int { Int((u + (v - u) * f).rounded()) }
        return hex(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    static func hex(_ r: Int, _ g: Int, _ b: Int) -> String {
        let digits = Array("0123456789abcdef")
        return "#" + [r, g, b].map { v in String([digits[(v >> 4) & 15], digits[v & 15]]) }.joined()
    }
}
