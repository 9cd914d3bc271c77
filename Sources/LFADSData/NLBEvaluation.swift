import Foundation
import LFADSMetrics

/// The Neural Latents Benchmark scores of one set of rates (`NLBMetrics`, computed as nlb_tools does).
/// Nil where the data cannot give the number (no held-out neurons, no forward bins, no behaviour, …).
public struct NLBScores: Codable, Sendable, Equatable {
    /// Co-smoothing bits/spike: held-out neurons over the window.
    public var coBPS: Double?
    /// Forward-prediction bits/spike: all neurons over the forward bins.
    public var fpBPS: Double?
    /// Held-in neurons over the window.
    public var heldInBPS: Double?
    /// Ridge decoding of behaviour from the rates (train split → eval split).
    public var velR2: Double?
    /// Condition-averaged rates against the data's PSTHs.
    public var psthR2: Double?
    /// Rates against the ground-truth rates (mean over neurons), when the file has truth.
    public var ratesTruthR2: Double?
    /// Affine map of the factors onto the true latents (variance-weighted R²), when both exist.
    public var factorsLatentsR2: Double?
    /// Output means against the data (mean over neurons): for non-Poisson observation models.
    public var dataR2: Double?

    public init() {}

    /// The rows every table of these scores shows, in order (`evaluate`, report.html); the rows
    /// whose number is missing everywhere are left out by the tables.
    public static var rows: [(name: String, key: KeyPath<NLBScores, Double?>)] { [
        ("co-bps", \.coBPS), ("fp-bps", \.fpBPS), ("held-in bits/spike", \.heldInBPS),
        ("output means vs data R²", \.dataR2), ("vel R²", \.velR2), ("PSTH R²", \.psthR2),
        ("rates vs truth R²", \.ratesTruthR2), ("factors → latents R²", \.factorsLatentsR2)] }
}

/// `autolfads evaluate`: NLB'21 metrics of a model's output file on its eval split (valid, or a test
/// split with targets), next to what the data itself gives (the NLB smoothing baseline) when asked.
public struct NLBEvaluation: Codable, Sendable, Equatable {
    public var file: String
    /// Observation model of the outputs (`observation_model` attribute; "poisson" when absent).
    public var observationModel: String
    /// Split scored (`valid`, NLB's "eval" trials, or `test`); the decoder is trained on `train`.
    public var split: String
    public var trials: Int
    public var heldInNeurons: Int
    public var heldOutNeurons: Int
    public var windowBins: Int
    public var forwardBins: Int
    public var model: NLBScores
    /// Gaussian-smoothed held-in spikes → Poisson GLM per held-out neuron (NLB "Smoothing").
    public var smoothing: NLBScores?
    /// The ground-truth rates scored as a model (the ceiling), when the data has truth in counts.
    public var oracle: NLBScores?
    /// Why a number is missing (one line each).
    public var notes: [String]

    /// How `evaluation.json` is written and read (sorted keys; NaN/∞ as strings).
    public static let jsonEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()
    public static let jsonDecoder: JSONDecoder = {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()

    /// True when bits/spike applies (spike counts).
    public var isPoisson: Bool { observationModel == "poisson" }

    /// Options of the smoothing baseline (nlb_tools' mc_maze settings by default).
    public struct SmoothingOptions: Sendable {
        public var kernelSDms: Double = 50
        public var alpha: Double = 0.01
        public init() {}
    }

    /// Which split is scored. `auto`: the test split when it carries reconstruction targets
    /// (`test_recon_data`, e.g. the benchmark's trials that training and model selection never
    /// read) and the outputs have its rates; else valid.
    public enum SplitChoice: String, Sendable, CaseIterable { case auto, valid, test }

    /// Scores `outputPath` (an `lfads_output_*.h5`: the data plus `{split}_output_params`).
    /// `dataPath` supplies the data keys when the output file lacks them.
    public static func evaluate(outputPath: String, dataPath: String? = nil, truthScale: Double? = nil,
                                smoothing: SmoothingOptions? = nil, split: SplitChoice = .auto) throws -> NLBEvaluation {
        let out = try HDF5File(path: outputPath, mode: .readOnly)
        let stored = try? out.readStringAttribute("observation_model")
        out.close()
        var outputs = try LFADSReader.readUnvalidated(outputPath, truthScale: truthScale, detectTruthScale: stored.map { $0 == "poisson" } ?? true)
        // Files written before the attribute existed: spike counts are whole, non-negative numbers.
        let observation = stored ?? (outputs.valid.map { isSpikeCounts($0.recon ?? $0.encod) } ?? true ? "poisson" : "continuous")
        let counts = observation == "poisson"
        if !counts && stored == nil { outputs = try LFADSReader.readUnvalidated(outputPath, truthScale: truthScale, detectTruthScale: false) }
        let data = try dataPath.map { try LFADSReader.readUnvalidated($0, truthScale: truthScale, detectTruthScale: counts) } ?? outputs
        let binMs = try? readBinMilliseconds(dataPath ?? outputPath)
        let scored = try resolve(split, data: data, outputs: outputs, file: outputPath)
        var e = try evaluate(data: onSplit(scored, data), outputs: onSplit(scored, outputs), file: outputPath,
                             observationModel: observation, binMilliseconds: binMs, smoothing: smoothing)
        e.split = scored.rawValue
        e.notes = e.notes.map { named($0, on: scored) }
        return e
    }

    /// A note written about the valid split's keys, naming the keys of the split that was scored.
    static func named(_ note: String, on name: LFADSSplitName) -> String {
        name == .valid ? note : ["behavior", "conds"].reduce(note) {
            $0.replacingOccurrences(of: "valid_\($1)", with: "\(name.rawValue)_\($1)")
        }
    }

    /// The split `choice` means for these files; an explicit `test` without targets is an error.
    static func resolve(_ choice: SplitChoice, data: LFADSDataset, outputs: LFADSDataset, file: String) throws -> LFADSSplitName {
        let testScorable = data.convention == .lfadsTorch && data.test?.recon != nil && outputs.extras["test_output_params"] != nil
        switch choice {
        case .valid: return .valid
        case .auto: return testScorable ? .test : .valid
        case .test:
            guard testScorable else {
                throw DataFileError(path: file, key: "test_recon_data", "missing: scoring the test split needs its reconstruction targets in the data and test_output_params in the outputs; use --split valid")
            }
            return .test
        }
    }

    /// `d` with split `name` in the place of valid (its arrays and its `name_*` keys; `valid_*` keys
    /// without a counterpart are dropped), so that the scoring code reads one split.
    static func onSplit(_ name: LFADSSplitName, _ d: LFADSDataset) -> LFADSDataset {
        guard name != .valid else { return d }
        var r = d
        r.splits[.valid] = d.splits[name]
        let prefix = name.rawValue + "_"
        for key in d.extras.keys where key.hasPrefix("valid_") { r.extras[key] = nil }
        for (key, a) in d.extras where key.hasPrefix(prefix) { r.extras["valid_" + key.dropFirst(prefix.count)] = a }
        return r
    }

    /// The pure part: `data` holds the counts (and behaviour, PSTHs, truth), `outputs.extras` the
    /// model's `{split}_output_params` (and `{split}_factors`).
    public static func evaluate(data: LFADSDataset, outputs: LFADSDataset, file: String, observationModel: String,
                                binMilliseconds: Double?, smoothing: SmoothingOptions?) throws -> NLBEvaluation {
        guard let valid = data.valid, let recon = valid.recon else {
            throw DataFileError(path: file, key: "valid_recon_data", "missing: evaluation needs a valid split with reconstruction data")
        }
        guard let rates = outputs.extras["valid_output_params"] else {
            throw DataFileError(path: file, key: "valid_output_params", "missing: is this an lfads_output file? (run autolfads train or run first)")
        }
        guard rates.shape == recon.shape else {
            throw DataFileError(path: file, key: "valid_output_params", "shape \(rates.shape) does not match valid_recon_data \(recon.shape); pass the data file the model was trained on with --data")
        }
        let nIn = valid.encod.channels, nAll = recon.channels, bins = valid.encod.time, allBins = recon.time
        var e = NLBEvaluation(file: file, observationModel: observationModel, split: "valid", trials: recon.trials,
                              heldInNeurons: nIn, heldOutNeurons: nAll - nIn, windowBins: bins,
                              forwardBins: allBins - bins, model: NLBScores(), smoothing: nil, notes: [])
        if nAll == nIn { e.notes.append("co-bps: the data has no held-out neurons (recon and encod have \(nAll) neurons)") }
        if allBins == bins { e.notes.append("fp-bps: the data has no forward-prediction bins") }
        if !e.isPoisson { e.notes.append("bits/spike: not shown for \(observationModel) observations (it scores spike counts); R² against the data instead") }
        e.model = scores(valid: rates.values, train: outputs.extras["train_output_params"], data: data, isPoisson: e.isPoisson,
                         label: "", notes: &e.notes)
        truthScores(&e.model, data: data, outputs: outputs, rates: rates.values, neurons: nAll, notes: &e.notes)
        // The ground truth scored as if it were a model: the ceiling of every number above.
        if e.isPoisson, let truth = valid.truth, truth.shape == recon.shape, data.truthScale?.isTrustworthy ?? false {
            let trainTruth = data.train?.truth.map { HDF5Array(shape: $0.shape, dtype: .float32, values: $0.values.map(Double.init)) }
            let oracle = scores(valid: truth.values.map(Double.init), train: trainTruth, data: data, isPoisson: true,
                                label: "truth ", notes: &e.notes)
            // As in `data inspect`: true rates cannot lose a whole bit per spike to the mean rate.
            if [oracle.coBPS, oracle.fpBPS, oracle.heldInBPS].contains(where: { ($0 ?? 0) < -1 }) {
                e.notes.append("truth: not shown: it scores below −1 bits/spike, which true rates cannot; check the truth's units (conversion_factor, --truth-scale)")
            } else { e.oracle = oracle }
        }
        if let options = smoothing {
            do { e.smoothing = try smoothingScores(data: data, options: options, binMilliseconds: binMilliseconds, notes: &e.notes) }
            catch { e.notes.append("smoothing baseline: \(error)") }
        }
        return e
    }

    /// Bits/spike (or the data R² for continuous outputs), vel R² and PSTH R² of `valid` rates shaped
    /// like valid_recon_data; `train` rates fit the velocity decoder.
    static func scores(valid r: [Double], train: HDF5Array?, data: LFADSDataset, isPoisson: Bool,
                       label: String, notes: inout [String]) -> NLBScores {
        // A metric that cannot be computed becomes a note; the others are still reported.
        func attempt(_ name: String, _ body: () throws -> Double?) -> Double? {
            do { return try body() } catch { notes.append("\(label)\(name): \(error)"); return nil }
        }
        let v = data.valid!, recon = v.recon!
        let nIn = v.encod.channels, nAll = recon.channels, bins = v.encod.time, allBins = recon.time
        let counts = recon.values.map(Double.init), shape = Slab(trials: recon.trials, bins: allBins, channels: nAll)
        var s = NLBScores()
        func bps(_ b: Range<Int>, _ c: Range<Int>) throws -> Double {
            try NLBMetrics.bitsPerSpike(rates: shape.take(r, bins: b, channels: c), spikes: shape.take(counts, bins: b, channels: c),
                                        channels: c.count)
        }
        if isPoisson {
            if nAll > nIn { s.coBPS = attempt("co-bps") { try bps(0..<bins, nIn..<nAll) } }
            if allBins > bins { s.fpBPS = attempt("fp-bps") { try bps(bins..<allBins, 0..<nAll) } }
            s.heldInBPS = attempt("held-in bits/spike") { try bps(0..<bins, 0..<nIn) }
        } else {
            s.dataR2 = attempt("output means vs data R²") { try RSquared.meanOverNeurons(predicted: r.map(Float.init), target: recon.values, neurons: nAll) }
        }
        let windowRates = shape.take(r, bins: 0..<bins, channels: 0..<nAll)
        let trainWindow = train.flatMap { t -> [Double]? in
            guard t.shape.count == 3, t.shape[1] == allBins, t.shape[2] == nAll else { return nil }
            return Slab(trials: t.shape[0], bins: allBins, channels: nAll).take(t.values, bins: 0..<bins, channels: 0..<nAll)
        }
        var missing: [String] = []   // "no behaviour" and the like: said once, for the model
        s.velR2 = attempt("vel R²") { try velocityR2(data: data, trainRates: trainWindow, evalRates: windowRates, channels: nAll, notes: &missing) }
        s.psthR2 = attempt("psth R²") { try psthR2(data: data, evalRates: windowRates, bins: bins, channels: nAll, notes: &missing) }
        if label.isEmpty { notes += missing }
        return s
    }

    /// The NLB smoothing baseline scored like a model (window only: it makes no forward prediction).
    static func smoothingScores(data: LFADSDataset, options: SmoothingOptions, binMilliseconds: Double?,
                                notes: inout [String]) throws -> NLBScores? {
        guard let train = data.train, let trainRecon = train.recon, let valid = data.valid, let validRecon = valid.recon else { return nil }
        let nIn = valid.encod.channels, nAll = validRecon.channels, bins = valid.encod.time
        guard nAll > nIn else { notes.append("smoothing baseline: needs held-out neurons"); return nil }
        guard let binMs = binMilliseconds else {
            notes.append("smoothing baseline: the file does not say its bin width (attribute bin_ms); it is needed for the kernel")
            return nil
        }
        let trainSlab = Slab(trials: trainRecon.trials, bins: trainRecon.time, channels: nAll)
        let validSlab = Slab(trials: validRecon.trials, bins: validRecon.time, channels: nAll)
        let trainCounts = trainRecon.values.map(Double.init), validCounts = validRecon.values.map(Double.init)
        let b = try NLBMetrics.smoothingBaseline(
            trainSpikesHeldin: trainSlab.take(trainCounts, bins: 0..<bins, channels: 0..<nIn),
            trainSpikesHeldout: trainSlab.take(trainCounts, bins: 0..<bins, channels: nIn..<nAll),
            evalSpikesHeldin: validSlab.take(validCounts, bins: 0..<bins, channels: 0..<nIn),
            time: bins, heldinChannels: nIn, heldoutChannels: nAll - nIn, binWidthMs: binMs,
            kernelSDms: options.kernelSDms, alpha: options.alpha)
        var s = NLBScores()
        s.coBPS = try NLBMetrics.bitsPerSpike(rates: b.evalRatesHeldout, spikes: validSlab.take(validCounts, bins: 0..<bins, channels: nIn..<nAll),
                                              channels: nAll - nIn)
        // No held-in bits/spike: the smoothed held-in spikes contain the very spikes they would be scored on.
        let evalRates = Slab.join(b.evalRatesHeldin, nIn, b.evalRatesHeldout, nAll - nIn)
        let trainRates = Slab.join(b.trainRatesHeldin, nIn, b.trainRatesHeldout, nAll - nIn)
        var ignored: [String] = []
        do { s.velR2 = try velocityR2(data: data, trainRates: trainRates, evalRates: evalRates, channels: nAll, notes: &ignored) }
        catch { notes.append("smoothing vel R²: \(error)") }
        do { s.psthR2 = try psthR2(data: data, evalRates: evalRates, bins: bins, channels: nAll, notes: &ignored) }
        catch { notes.append("smoothing psth R²: \(error)") }
        return s
    }

    static func velocityR2(data: LFADSDataset, trainRates: [Double]?, evalRates: [Double], channels: Int,
                           notes: inout [String]) throws -> Double? {
        guard let trainB = data.extras["train_behavior"], let evalB = data.extras["valid_behavior"] else {
            notes.append("vel R²: the data has no train_behavior/valid_behavior"); return nil
        }
        guard let trainRates else { notes.append("vel R²: the outputs have no train_output_params to fit the decoder"); return nil }
        guard trainB.shape.count == 3, evalB.shape.count == 3, trainB.shape[2] > 0, trainB.shape[2] == evalB.shape[2],
              trainB.values.count / trainB.shape[2] == trainRates.count / channels,
              evalB.values.count / evalB.shape[2] == evalRates.count / channels else {
            notes.append("vel R²: behaviour shapes \(trainB.shape)/\(evalB.shape) do not match the rates' trials × window bins"); return nil
        }
        return try NLBMetrics.velocityR2(trainRates: trainRates, trainBehavior: trainB.values, evalRates: evalRates,
                                         evalBehavior: evalB.values, rateChannels: channels, behaviorChannels: trainB.shape[2])
    }

    static func psthR2(data: LFADSDataset, evalRates: [Double], bins: Int, channels: Int, notes: inout [String]) throws -> Double? {
        guard let psth = data.extras["psth"], let conds = data.extras["valid_conds"] else {
            notes.append("psth R²: the data has no psth/valid_conds (from-nwb --condition writes them)"); return nil
        }
        guard psth.shape.count == 3, psth.shape[1] == bins, psth.shape[2] == channels else {
            notes.append("psth R²: psth shape \(psth.shape) does not match the window (\(bins) bins × \(channels) neurons)"); return nil
        }
        let c = psth.shape[0]
        var indices = [[Int]](repeating: [], count: c)
        for (trial, v) in conds.values.enumerated() where v >= 0 && v < Double(c) { indices[Int(v)].append(trial) }
        return try NLBMetrics.psthR2(psth: psth.values, conditions: c, time: bins, channels: channels,
                                     evalRates: evalRates, evalTime: bins, condIndices: indices)
    }

    static func truthScores(_ s: inout NLBScores, data: LFADSDataset, outputs: LFADSDataset, rates: [Double],
                            neurons: Int, notes: inout [String]) {
        if let truth = data.valid?.truth {
            if let scale = data.truthScale, !scale.isTrustworthy {
                notes.append(scale.description)
            } else if truth.values.count == rates.count {
                do { s.ratesTruthR2 = try RSquared.meanOverNeurons(predicted: rates.map(Float.init), target: truth.values, neurons: neurons) }
                catch { notes.append("rates vs truth R²: \(error)") }
            } else { notes.append("rates vs truth: truth shape \(truth.shape) differs from the rates") }
        }
        if let latents = data.valid?.latents, let factors = outputs.extras["valid_factors"], factors.shape.count == 3,
           factors.shape[0] * factors.shape[1] == latents.trials * latents.time {
            // Bins where the latents are missing (NaN-padded trials) are left out of the fit.
            let rows = (0..<(latents.trials * latents.time)).filter { r in
                !(0..<latents.channels).contains { latents.values[r * latents.channels + $0].isNaN }
            }
            let f = factors.shape[2], l = latents.channels
            do {
                s.factorsLatentsR2 = try AffineFit.fit(inputs: rows.flatMap { r in (0..<f).map { Float(factors.values[r * f + $0]) } }, inputDim: f,
                                                       targets: rows.flatMap { r in (0..<l).map { latents.values[r * l + $0] } },
                                                       outputDim: l).r2VarianceWeighted
            } catch { notes.append("factors → latents R²: \(error)") }
        }
    }

    /// Whole, non-negative numbers (NaN = missing): spike counts, so Poisson scores apply.
    static func isSpikeCounts(_ a: Array3D) -> Bool {
        a.values.allSatisfy { $0.isNaN || ($0 >= 0 && $0 == $0.rounded()) }
    }

    /// The data's bin width: attribute `bin_ms` (from-nwb), else dataset `dt` or `bin_size` in seconds.
    static func readBinMilliseconds(_ path: String) throws -> Double? {
        let f = try HDF5File(path: path, mode: .readOnly)
        defer { f.close() }
        if let text = try? f.readStringAttribute("bin_ms"), let v = Double(text) { return v }
        if let v = try? f.readDoubleAttribute("bin_ms").first, v > 0 { return v }
        for key in ["dt", "bin_size"] where f.contains(key) {
            if let v = try? f.readScalar(key), v > 0 { return v < 1 ? v * 1000 : v }
        }
        return nil
    }
}

/// Index arithmetic on trials × bins × channels arrays (channels fastest).
struct Slab {
    var trials: Int, bins: Int, channels: Int

    /// The sub-array of `bins` × `channels`, as Doubles.
    func take<T: BinaryFloatingPoint>(_ values: [T], bins b: Range<Int>, channels c: Range<Int>) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(trials * b.count * c.count)
        for trial in 0..<trials {
            for t in b {
                let row = (trial * bins + t) * channels
                for k in c { out.append(Double(values[row + k])) }
            }
        }
        return out
    }

    /// Rows of `a` (width `wa`) and `b` (width `wb`) side by side.
    static func join(_ a: [Double], _ wa: Int, _ b: [Double], _ wb: Int) -> [Double] {
        let rows = a.count / max(wa, 1)
        var out: [Double] = []
        out.reserveCapacity(rows * (wa + wb))
        for i in 0..<rows {
            out.append(contentsOf: a[(i * wa)..<((i + 1) * wa)])
            out.append(contentsOf: b[(i * wb)..<((i + 1) * wb)])
        }
        return out
    }
}
