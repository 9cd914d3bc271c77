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
    /// Starts the readout bias at the data's per-neuron moments (`readout_bias_from_data`):
    /// Poisson log(mean) (floored at 1e-3); Gaussian mean and log(variance); MSE mean; Gamma log α, log β
    /// by moments (α = m²/v, β = m/v); ZIG q = logit(fraction non-zero) (α, β stay at sig(0)·scale).
    func setReadoutBias(data: [Float], neurons n: Int, session: Int = 0) {
        let m = NeuronMoments(data, neurons: n)
        let bias = store.value(heads[session].readoutB)
        func put(_ param: Int, _ k: Int, _ v: Double) { bias[param * n + k] = Float(v) }
        for k in 0..<n {
            let mean = m.mean[k], v = max(m.variance[k], 1e-6)
            switch config.reconstruction {
            case .poisson: put(0, k, log(max(mean, 1e-3)))
            case .gaussian: put(0, k, mean); put(1, k, log(v))
            case .mse: put(0, k, mean)
            case .gamma:
                let mm = max(mean, 1e-3)
                put(0, k, log(mm * mm / v)); put(1, k, log(mm / v))
            case .zig:
                let p = min(max(m.nonZero[k], 1e-3), 1 - 1e-3)
                put(2, k, log(p / (1 - p)))
            }
        }
    }
}
