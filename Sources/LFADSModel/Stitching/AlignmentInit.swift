import LFADSData

/// Readin/readout initialisation of a stitched model (the PCR alignment of `StitchingAlignment`), from the data files.
extension StitchingAlignment {
    /// Per-session alignment (N_s × K matrix and N_s bias) for `datasets`: taken from the files
    /// when every one has `alignment_matrix_cxf` + `alignment_bias_c` (TF LFADS) or
    /// `readin_weight` + `readout_bias` (lfads-torch); otherwise fitted by `fit` (PCR, ridge 1)
    /// on Gaussian-smoothed (σ = `smoothing` bins) train condition averages of the encoder data,
    /// which needs `condition_labels_train` with the same conditions in every file.
    public static func sessions(for datasets: [LFADSDataset], components k: Int, names: [String]? = nil,
                                smoothing: Double = 2) throws -> [Session] {
        let label = { (i: Int) in "session \(i)" + (names.map { " (\($0[i]))" } ?? "") }
        for (matrix, bias) in [("alignment_matrix_cxf", "alignment_bias_c"), ("readin_weight", "readout_bias")]
        where datasets.allSatisfy({ $0.extras[matrix] != nil && $0.extras[bias] != nil }) {
            return try datasets.enumerated().map { i, d in
                let w = d.extras[matrix]!, b = d.extras[bias]!, n = d.encodNeurons
                guard w.shape == [n, k], b.values.count == n else {
                    throw StitchingError("\(label(i)): \(matrix) is \(w.shape) and \(bias) has \(b.values.count) values; expected [\(n), \(k)] (neurons × readin_dim) and \(n)")
                }
                return Session(neurons: n, readinWeight: w.values, readoutBias: b.values)
            }
        }
        var conditions: [Double]? = nil
        var psths: [(values: [Double], neurons: Int)] = []
        for (i, d) in datasets.enumerated() {
            guard let labels = d.extras["condition_labels_train"]?.values, let train = d.train, labels.count == train.trialCount else {
                throw StitchingError("\(label(i)) has no condition_labels_train for the PCR alignment; add it, give alignment_matrix_cxf and alignment_bias_c, or set pcr_init: false")
            }
            let conds = Array(Set(labels)).sorted()
            if let first = conditions, first != conds {
                throw StitchingError("\(label(i)) has conditions \(conds.count) different from session 0's \(first.count); PCR alignment needs the same conditions in every session (or set pcr_init: false)")
            }
            conditions = conds
            let t = train.encod.time, n = train.encod.channels
            var avg = Array3D(trials: conds.count, time: t, channels: n)
            for (c, cond) in conds.enumerated() {
                let trials = labels.indices.filter { labels[$0] == cond }
                for trial in trials { for j in 0..<(t * n) { avg.values[c * t * n + j] += train.encod.values[trial * t * n + j] / Float(trials.count) } }
            }
            psths.append((TruthRecovery.smooth(avg, sigma: smoothing).map { Double($0.isNaN ? 0 : $0) }, n))
        }
        return try fit(psths: psths, components: k)
    }
}

extension LFADSNetwork {
    /// Sets each session's readin to its alignment (W = matrix, b = −bias·W, so the encoders see
    /// centred, aligned activity) and, when `fac_dim == readin_dim`, the held-in rows of its
    /// readout weight to the transpose (as TF LFADS/RM: empirically better than the pseudo-inverse).
    func initialiseStitching(datasets: [LFADSDataset], names: [String]?) throws {
        let k = config.readinDim
        let align = try StitchingAlignment.sessions(for: datasets, components: k, names: names)
        for (head, a) in zip(heads, align) {
            guard let readin = head.readin else { continue }
            let n = head.encodNeurons
            let w = store.value(readin.w), b = store.value(readin.b)
            for j in 0..<k {
                var bias = 0.0
                for i in 0..<n { w[j * n + i] = Float(a.readinWeight[i * k + j]); bias -= a.readoutBias[i] * a.readinWeight[i * k + j] }
                b[j] = Float(bias)
            }
            guard config.facDim == k else { continue }
            let ro = store.value(head.readoutW)
            for i in 0..<n { for j in 0..<k { ro[i * k + j] = Float(a.readinWeight[i * k + j]) } }
        }
    }
}
