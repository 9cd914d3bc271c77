import LFADSMetrics

/// Count statistics of one array (NaN elements skipped).
public struct CountStats: Sendable, Equatable {
    public var mean: Double
    public var max: Double
    public var fractionZero: Double
    /// Smallest and largest per-channel mean count per bin.
    public var channelMeanRange: (Double, Double)

    public static func == (a: Self, b: Self) -> Bool {
        a.mean == b.mean && a.max == b.max && a.fractionZero == b.fractionZero
            && a.channelMeanRange == b.channelMeanRange
    }

    public init(_ a: Array3D) {
        var sum = 0.0, mx = -Double.infinity, zeros = 0, n = 0
        var chSum = [Double](repeating: 0, count: a.channels), chN = [Int](repeating: 0, count: a.channels)
        for (i, v) in a.values.enumerated() where !v.isNaN {
            let d = Double(v)
            sum += d; mx = Swift.max(mx, d); n += 1
            if v == 0 { zeros += 1 }
            chSum[i % Swift.max(a.channels, 1)] += d; chN[i % Swift.max(a.channels, 1)] += 1
        }
        let means = (0..<a.channels).compactMap { chN[$0] > 0 ? chSum[$0] / Double(chN[$0]) : nil }
        mean = n > 0 ? sum / Double(n) : .nan
        max = n > 0 ? mx : .nan
        fractionZero = n > 0 ? Double(zeros) / Double(n) : .nan
        channelMeanRange = (means.min() ?? .nan, means.max() ?? .nan)
    }
}

/// A human-readable report on an LFADS file, as printed by `autolfads data inspect`.
public struct DatasetSummary: Sendable {
    public var lines: [String]
    public var problems: [DataFileError]
    /// The oracle's bits/spike on valid (true rates as the model), when truth is present.
    public var oracleValidBitsPerSpike: Double?
    public var isValid: Bool { problems.isEmpty }

    /// Reads `path` and summarises it. Structural errors (unreadable file, missing key, wrong
    /// rank) throw; content problems are listed in `problems`.
    public init(path: String, options: LFADSReadOptions = .init()) throws {
        let d = try LFADSReader.readUnvalidated(path, truthScale: options.truthScale, detectTruthScale: options.requireCounts)
        problems = LFADSValidator.problems(in: d, path: path, options: options)
        var out = ["file: \(path)", "convention: \(d.convention.rawValue)",
                   "counts dtype: \(d.countsDType.rawValue)",
                   "dims: T_enc \(d.encodTime), T_recon \(d.reconTime), N_enc \(d.encodNeurons), N_recon \(d.reconNeurons), ext_input \(d.extInputDim), latents \(d.latentDim)"]
        let file = try HDF5File(path: path)
        defer { file.close() }
        out.append("datasets:")
        for key in try file.datasetNames() {
            let (shape, dtype) = try file.info(key)
            out.append("  \(key) \(dtype.rawValue) \(shape)")
        }
        for name in d.splits.keys.sorted() {
            let s = d.splits[name]!
            let target = s.recon ?? s.encod
            let st = CountStats(target)
            var parts = ["\(name.rawValue): encod \(s.encod.shape)"]
            if d.convention == .lfadsTorch { parts.append("recon \(s.recon.map { "\($0.shape)" } ?? "none")") }
            if let e = s.extInput { parts.append("ext_input \(e.shape)") }
            if let t = s.truth { parts.append("truth \(t.shape)") }
            if let l = s.latents { parts.append("latents \(l.shape)") }
            if s.inds != nil { parts.append("inds") }
            out.append(parts.joined(separator: ", "))
            out.append("  counts: mean \(fmt(st.mean)), max \(fmt(st.max)), zeros \(fmt(st.fractionZero * 100))%, per-neuron mean \(fmt(st.channelMeanRange.0))…\(fmt(st.channelMeanRange.1)) per bin")
        }
        out.append(d.truthScale?.description ?? "truth: absent")
        oracleValidBitsPerSpike = nil
        if let v = d.valid, let truth = v.truth, d.truthScale?.isTrustworthy ?? false, options.requireCounts {
            let target = v.recon ?? v.encod
            if let bps = try? PoissonMetrics.bitsPerSpike(counts: target.values, rates: truth.values, neurons: target.channels) {
                if bps < -1 {
                    // True rates a whole bit per spike worse than each neuron's mean: not noise, wrong units.
                    out.append("oracle bits/spike: not shown: the truth scores \(fmt(bps)), far below the mean-rate model, which true rates cannot be; check the truth's units (conversion_factor, --truth-scale)")
                } else {
                    oracleValidBitsPerSpike = bps
                    let why = bps < 0 ? " (below 0: with few valid trials or low rates the mean of the same counts can beat the true rates)" : ""
                    out.append("oracle bits/spike (valid, true rates vs per-neuron mean of valid counts): \(fmt(bps))\(why)")
                }
            }
        }
        out.append(problems.isEmpty ? "problems: none" : "problems: \(problems.count)")
        out += problems.map { "  - \($0.message)" }
        lines = out
    }
}

private func fmt(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    let scaled = (x * 10000).rounded() / 10000
    return "\(scaled)"
}
