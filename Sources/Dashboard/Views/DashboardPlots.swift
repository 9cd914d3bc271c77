import Foundation
import Plots

/// The dashboard's figures, rendered from a snapshot by name: `scores`, `validation`, `hp-<name>`.
public enum DashboardPlots {
    /// Metric columns tried, in order, for validation curves.
    public static let validationColumns = ["valid_recon_smth", "valid/recon_smth", "valid_recon", "val_loss", "valid_loss", "score"]

    /// Every plot name available for this snapshot.
    public static func names(_ s: RunSnapshot) -> [String] {
        ["scores", "validation"] + RunSummary.hpNames(s).map { "hp-\($0)" }
    }

    /// The SVG for `name`, or nil for an unknown name.
    public static func svg(_ name: String, snapshot s: RunSnapshot, width: Double = 640, height: Double = 340) -> String? {
        switch name {
        case "scores": return scores(s, width: width, height: height)
        case "validation": return validation(s, width: width, height: height)
        default:
            guard name.hasPrefix("hp-") else { return nil }
            let hp = String(name.dropFirst(3))
            guard RunSummary.hpNames(s).contains(hp) else { return nil }
            return hpTrajectory(hp, snapshot: s, width: width, height: height)
        }
    }

    /// Best and median valid score per generation.
    public static func scores(_ s: RunSnapshot, width: Double = 640, height: Double = 340) -> String {
        let gens = RunSummary.generations(s)
        let x = gens.map { Double($0.generation) }
        let best = Series(name: "best", x: x, y: gens.map { $0.best ?? .nan }, markers: true)
        let median = Series(name: "median", x: x, y: gens.map { $0.median ?? .nan }, dashed: true, markers: true)
        let frame = ChartFrame(width: width, height: height, title: "Score per generation (\(s.run.minimize ? "lower" : "higher") is better)",
                               xLabel: "generation", yLabel: "score")
        return LineChart(frame: frame, series: [best, median]).svg()
    }

    /// The validation column used for `metrics` (nil when there is none).
    public static func validationColumn(_ metrics: [MetricSeries]) -> String? {
        let all = Set(metrics.flatMap(\.columns))
        if let c = validationColumns.first(where: { all.contains($0) }) { return c }
        return metrics.first?.columns.first { !["epoch", "seconds", "lr", "step"].contains($0) }
    }

    /// Per-worker validation curves over epochs, concatenated across generations.
    public static func validation(_ s: RunSnapshot, width: Double = 640, height: Double = 340) -> String {
        let column = validationColumn(s.metrics)
        var series: [Series] = []
        for (w, parts) in Dictionary(grouping: s.metrics, by: \.worker).sorted(by: { $0.key < $1.key }) {
            guard let column else { break }
            var xs: [Double] = [], ys: [Double] = []
            for part in parts.sorted(by: { $0.generation < $1.generation }) {
                guard let y = part.column(column) else { continue }
                let epochs = part.column("epoch")
                for (i, v) in y.enumerated() {
                    let e = epochs.map { $0[i] } ?? .nan
                    xs.append(e.isFinite && (xs.last.map { e > $0 } ?? true) ? e : (xs.last ?? 0) + 1)
                    ys.append(v)
                }
            }
            series.append(Series(name: "w\(w)", x: xs, y: ys, color: Palette.color(w)))
        }
        let frame = ChartFrame(width: width, height: height, title: "Validation per worker" + (column.map { " (\($0))" } ?? ""),
                               xLabel: "epoch", yLabel: column ?? "metric")
        var chart = LineChart(frame: frame, series: series)
        chart.lineWidth = 1.2
        chart.legendOutside = true
        return chart.svg()
    }

    /// Lineage graph for the snapshot's results: node id = generation · 100 000 + worker.
    public static func lineageNodes(_ s: RunSnapshot, value: (ResultRow) -> Double?) -> [LineageNode] {
        func id(_ w: Int, _ g: Int) -> Int { g * 100_000 + w }
        let results = Dictionary(s.results.map { (id($0.worker, $0.generation), $0) }, uniquingKeysWith: { a, _ in a })
        let decisions = Dictionary(s.decisions.map { (id($0.worker, $0.generation), $0) }, uniquingKeysWith: { a, _ in a })
        // The previous result of the same worker (handles gaps in generation numbers).
        let byWorker = Dictionary(grouping: s.results, by: \.worker).mapValues { $0.map(\.generation).sorted() }
        func parent(_ r: ResultRow) -> (id: Int, copied: Bool)? {
            guard let gens = byWorker[r.worker], let i = gens.firstIndex(of: r.generation), i > 0 else { return nil }
            let prev = gens[i - 1]
            if let d = decisions[id(r.worker, prev)], d.action == "copy", results[id(d.parent, d.parentGeneration)] != nil {
                return (id(d.parent, d.parentGeneration), true)
            }
            return (id(r.worker, prev), false)
        }
        var rootCache: [Int: Int] = [:]
        func root(_ key: Int, depth: Int = 0) -> Int {
            if let c = rootCache[key] { return c }
            guard let r = results[key] else { return key % 100_000 }
            let g: Int
            if let p = parent(r), depth < 10_000 { g = root(p.id, depth: depth + 1) } else { g = r.worker }
            rootCache[key] = g
            return g
        }
        return s.results.sorted { ($0.generation, $0.worker) < ($1.generation, $1.worker) }.compactMap { r in
            guard let v = value(r) else { return nil }
            let key = id(r.worker, r.generation), p = parent(r)
            return LineageNode(id: key, x: Double(r.generation), y: v, parent: p?.id, group: root(key), copied: p?.copied ?? false,
                               label: "w\(r.worker) g\(r.generation): \(SVGText.number(v))")
        }
    }

    /// One hyperparameter across generations, coloured by lineage (generation-0 ancestor), log axis when log-scaled.
    public static func hpTrajectory(_ hp: String, snapshot s: RunSnapshot, width: Double = 640, height: Double = 340) -> String {
        let nodes = lineageNodes(s) { $0.hps[hp] }
        let positive = nodes.allSatisfy { $0.y > 0 }
        let ys = nodes.map(\.y)
        let spread = (ys.max() ?? 1) / max(ys.min() ?? 1, .leastNormalMagnitude)
        let log = positive && !nodes.isEmpty && (s.run.logScaledHPs.contains(hp) || spread > 100)
        let names = Dictionary(uniqueKeysWithValues: Set(nodes.map(\.group)).map { ($0, "lineage of w\($0)") })
        let frame = ChartFrame(width: width, height: height, title: "\(hp) by generation (colour = lineage, dashed = copied)",
                               xLabel: "generation", yLabel: hp + (log ? " (log)" : ""))
        return LineageChart(frame: frame, nodes: nodes, yScale: log ? .log : .linear, groupNames: names).svg()
    }
}
