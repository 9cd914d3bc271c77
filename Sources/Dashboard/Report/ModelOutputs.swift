import Foundation
import LFADSData
import LFADSMetrics

/// A [trials × time × dim] block read from an output file, as Floats (row-major).
public struct Block: Sendable, Equatable {
    public var trials: Int, time: Int, dim: Int
    public var values: [Float]

    public init(trials: Int, time: Int, dim: Int, values: [Float]) {
        self.trials = trials; self.time = time; self.dim = dim; self.values = values
    }

    /// values[trial][t][d].
    public func at(_ b: Int, _ t: Int, _ d: Int) -> Float { values[(b * time + t) * dim + d] }

    /// One trial as [dim][time] (rows = channels), for rasters and heatmaps.
    public func trialByChannel(_ b: Int, maxChannels: Int = .max) -> [[Double]] {
        (0..<min(dim, maxChannels)).map { d in (0..<time).map { t in Double(at(b, t, d)) } }
    }
}

/// What the report shows about the final model: arrays from `lfads_output_*.h5` and the metrics
/// computed from them with `LFADSMetrics`.
public struct ModelOutputs: Sendable {
    public var file: String
    public var split: String
    public var data: Block?
    public var rates: Block
    public var factors: Block?
    public var coMeans: Block?
    /// Truth in counts per bin (divided by `conversion_factor` when present).
    public var truth: Block?
    public var latents: Block?
    public var bitsPerSpike: Double?
    /// Output means vs the data (non-Poisson observation models, where bits/spike does not apply).
    public var ratesDataR2: Double?
    public var ratesTruthR2: Double?
    public var factorsLatentsR2: Double?
    /// Problems met computing a metric (one line each), shown in the report.
    public var notes: [String] = []
    /// The observation model that wrote the file (`observation_model` attribute; nil in older files).
    public var observationModel: String?
    /// NLB'21 scores (`autolfads evaluate`), when the data has held-out neurons, forward bins,
    /// behaviour or PSTHs.
    public var nlb: NLBEvaluation?
    /// Every dataset name in the file, sorted (for the report's "load these outputs" snippet).
    public var keys: [String] = []
    /// False when the truth's scale could not be established (no truth metric is shown then).
    public var truthTrusted = true
    /// True when bits/spike is meaningful: Poisson outputs (older files: counts that are whole numbers).
    public var isSpikeCounts: Bool {
        if let m = observationModel { return m == "poisson" }
        return data.map { $0.values.allSatisfy { $0.isNaN || ($0 >= 0 && $0 == $0.rounded()) } } ?? false
    }

    /// Reads the valid split (else train) of an LFADS output file and computes the metrics.
    public static func load(path: String) throws -> ModelOutputs {
        let f = try HDF5File(path: path, mode: .readOnly)
        defer { f.close() }
        let names = Set(try f.datasetNames())
        guard let split = ["valid", "train", "test"].first(where: { names.contains("\($0)_output_params") }) else {
            throw DashboardError("\(path) has no {valid,train}_output_params dataset; is it an lfads_output file?")
        }
        func block(_ key: String) throws -> Block? {
            guard names.contains(key) else { return nil }
            let (v, shape) = try f.readFloats(key)
            guard shape.count == 3 else { return nil }
            return Block(trials: shape[0], time: shape[1], dim: shape[2], values: v)
        }
        guard let rates = try block("\(split)_output_params") else {
            throw DashboardError("\(path): \(split)_output_params is not a 3-D array [trials × time × neurons]")
        }
        var out = ModelOutputs(file: path, split: split, rates: rates)
        out.keys = names.sorted()
        for key in ["\(split)_recon_data", "\(split)_data", "\(split)_encod_data"] {
            if let d = try block(key), d.trials == rates.trials, d.time == rates.time, d.dim == rates.dim { out.data = d; break }
        }
        out.factors = try block("\(split)_factors") ?? block("factors")
        out.coMeans = try block("\(split)_co_means") ?? block("co_means")
        if out.coMeans?.dim == 0 { out.coMeans = nil }
        out.observationModel = try? f.readStringAttribute("observation_model")
        if var t = try block("\(split)_truth") {
            if names.contains("conversion_factor"), let cf = try? f.readScalar("conversion_factor"), cf != 0 {
                t.values = t.values.map { Float(Double($0) / cf) }
            } else if let d = out.data, d.values.count == t.values.count, out.isSpikeCounts {
                // No factor in the file: is the truth counts per bin or Hz? (`TruthScale`)
                let scale = TruthScale.detect(truth: t.values, counts: d.values, channels: d.dim)
                t.values = t.values.map { Float(Double($0) / scale.factor) }
                out.truthTrusted = scale.isTrustworthy
                if scale.source != .countsPerBin { out.notes.append(scale.description) }
            }
            out.truth = t
        }
        out.latents = try block("\(split)_latents") ?? block("\(split)_lowd")
        out.computeMetrics()
        if let e = try? NLBEvaluation.evaluate(outputPath: path),
           e.model.coBPS != nil || e.model.fpBPS != nil || e.model.velR2 != nil || e.model.psthR2 != nil {
            out.nlb = e
        }
        return out
    }

    /// Fills the metric fields from the arrays present (tested functions of `LFADSMetrics`).
    public mutating func computeMetrics() {
        if let d = data {
            if isSpikeCounts {
                do { bitsPerSpike = try PoissonMetrics.bitsPerSpike(counts: d.values, rates: rates.values, neurons: rates.dim) }
                catch { notes.append("bits/spike: \(error)") }
            } else {
                // Bits/spike is a Poisson spike-count score; for EMG/calcium the fit to the data is an R².
                do { ratesDataR2 = try RSquared.meanOverNeurons(predicted: rates.values, target: d.values, neurons: rates.dim) }
                catch { notes.append("rates vs data R²: \(error)") }
            }
        }
        if let t = truth, truthTrusted {
            if t.values.count == rates.values.count {
                do { ratesTruthR2 = try RSquared.meanOverNeurons(predicted: rates.values, target: t.values, neurons: rates.dim) }
                catch { notes.append("rates vs truth R²: \(error)") }
            } else { notes.append("truth shape [\(t.trials)×\(t.time)×\(t.dim)] differs from rates; R² skipped") }
        }
        if let fa = factors, let la = latents {
            if fa.trials * fa.time == la.trials * la.time {
                do {
                    factorsLatentsR2 = try AffineFit.fit(inputs: fa.values, inputDim: fa.dim, targets: la.values,
                                                          outputDim: la.dim).r2VarianceWeighted
                } catch { notes.append("factors → latents fit: \(error)") }
            } else { notes.append("factors and latents have different trial/time counts; affine fit skipped") }
        }
    }
}
