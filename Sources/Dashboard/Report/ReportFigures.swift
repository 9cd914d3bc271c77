import Foundation
import Plots

/// The report's model figures, each a (file name, caption, SVG).
public struct Figure: Sendable, Equatable {
    public var file: String
    public var caption: String
    public var svg: String
}

/// Builds the final-model figures from `ModelOutputs`.
public enum ReportFigures {
    /// Rasters with inferred rates for the first `trials` trials, factors, inputs, rates vs truth.
    public static func model(_ m: ModelOutputs, trials: Int = 2, maxNeurons: Int = 40) -> [Figure] {
        var out: [Figure] = []
        let shown = min(trials, m.rates.trials)
        for b in 0..<shown {
            let counts = m.data.map { $0.trialByChannel(b, maxChannels: maxNeurons) }
                ?? Array(repeating: Array(repeating: 0, count: m.rates.time), count: min(m.rates.dim, maxNeurons))
            let frame = ChartFrame(width: 640, height: 360, title: "\(m.split) trial \(b): spikes (ticks) and inferred rates (red)")
            out.append(Figure(file: "raster-trial\(b).svg",
                              caption: "Spike counts and inferred rates, \(m.split) trial \(b)" + (m.rates.dim > maxNeurons ? " (first \(maxNeurons) neurons)" : ""),
                              svg: RasterPlot(frame: frame, counts: counts, rates: m.rates.trialByChannel(b, maxChannels: maxNeurons)).svg()))
        }
        if let fa = m.factors, fa.trials > 0 {
            let rows = fa.trialByChannel(0, maxChannels: 12)
            let series = rows.enumerated().map { Series(name: "f\($0.offset)", values: $0.element) }
            out.append(Figure(file: "factors-trial0.svg", caption: "Factors over time, \(m.split) trial 0" + (fa.dim > 12 ? " (first 12 of \(fa.dim))" : ""),
                              svg: LineChart(frame: ChartFrame(title: "Factors, trial 0", xLabel: "time bin", yLabel: "factor"), series: series).svg()))
            out.append(Figure(file: "factors-heatmap.svg", caption: "All \(fa.dim) factors of trial 0 (rows) over time",
                              svg: Heatmap(frame: ChartFrame(title: "Factors heatmap, trial 0", xLabel: "time bin", yLabel: "factor"),
                                           values: fa.trialByChannel(0)).svg()))
        }
        if let co = m.coMeans, co.trials > 0 {
            let series = co.trialByChannel(0, maxChannels: 8).enumerated().map { Series(name: "u\($0.offset)", values: $0.element) }
            out.append(Figure(file: "inputs-trial0.svg", caption: "Inferred inputs (controller output means), trial 0",
                              svg: LineChart(frame: ChartFrame(title: "Inferred inputs, trial 0", xLabel: "time bin", yLabel: "co_means"), series: series).svg()))
        }
        if let t = m.truth, t.values.count == m.rates.values.count {
            let r2 = m.ratesTruthR2.map { "R² = " + String(format: "%.3f", $0) }
            out.append(Figure(file: "rates-vs-truth.svg", caption: "Inferred rates against true rates (counts per bin), every element",
                              svg: ScatterPlot(frame: ChartFrame(width: 420, height: 400, title: "Rates vs truth", xLabel: "true rate",
                                                                 yLabel: "inferred rate"),
                                               x: t.values.map(Double.init), y: m.rates.values.map(Double.init), annotation: r2).svg()))
        }
        return out
    }
}
