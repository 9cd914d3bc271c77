import Foundation

/// Per-neuron moments of observed (non-NaN) data, for the readout-bias initialisation.
struct NeuronMoments {
    var mean: [Double], variance: [Double], nonZero: [Double]

    /// Moments over all rows of trial-major `values` (last axis `neurons`), skipping NaN.
    init(_ values: [Float], neurons: Int) {
        var s = [Double](repeating: 0, count: neurons), s2 = s, nz = s, n = s
        for (i, v) in values.enumerated() where !v.isNaN {
            let k = i % neurons, x = Double(v)
            s[k] += x; s2[k] += x * x; n[k] += 1
            if x != 0 { nz[k] += 1 }
        }
        mean = (0..<neurons).map { s[$0] / max(n[$0], 1) }
        variance = (0..<neurons).map { max(s2[$0] / max(n[$0], 1) - (s[$0] / max(n[$0], 1)) * (s[$0] / max(n[$0], 1)), 0) }
        nonZero = (0..<neurons).map { nz[$0] / max(n[$0], 1) }
    }
}

extension LFADSNetwork {
    /// Starts the readout bias at the data's per-neuron moments (`readout_bias_from_data`), as the
    /// observation model says (`ObservationLikelihood.readoutBias`; variance floored at 1e-6).
    func setReadoutBias(data: [Float], neurons n: Int, session: Int = 0) {
        let m = NeuronMoments(data, neurons: n)
        let bias = store.value(heads[session].readoutB)
        func put(_ param: Int, _ k: Int, _ v: Double) { bias[param * n + k] = Float(v) }
        let likelihood = config.reconstruction.likelihood
        for k in 0..<n {
            let values = likelihood.readoutBias(mean: m.mean[k], variance: max(m.variance[k], 1e-6), nonZero: m.nonZero[k])
            for (j, v) in values.enumerated() { if let v { put(j, k, v) } }
        }
    }
}
