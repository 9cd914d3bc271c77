#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Poisson log-likelihood and bits per spike.
///
/// Arrays are flattened row-major with neurons as the last (fastest) axis: any
/// trials × time × neurons layout works as long as `counts.count` is a multiple of `neurons`.
/// Elements whose count is NaN (missing data) are skipped everywhere.
public enum PoissonMetrics {
    /// Rates are floored at this value before taking logs, so a zero rate with a zero count
    /// costs nothing and a zero rate with spikes costs a large but finite amount.
    public static let rateFloor = 1e-9

    /// Total Poisson negative log-likelihood Σ [λ − y ln λ + ln Γ(y+1)] with exact `lgamma`.
    /// `rates` are expected counts per bin (not Hz).
    public static func negativeLogLikelihood(counts: [Float], rates: [Float]) throws -> Double {
        try require(counts.count == rates.count,
                    "poisson NLL: counts has \(counts.count) elements but rates has \(rates.count); pass arrays of the same shape")
        var total = 0.0
        for i in counts.indices {
            let y = Double(counts[i])
            if y.isNaN { continue }
            let lam = max(Double(rates[i]), rateFloor)
            total += lam - y * log(lam) + logGamma(y + 1)
        }
        return total
    }

    /// Total Poisson negative log-likelihood from log-rates (ln of expected counts per bin).
    public static func negativeLogLikelihood(counts: [Float], logRates: [Float]) throws -> Double {
        try require(counts.count == logRates.count,
                    "poisson NLL: counts has \(counts.count) elements but logRates has \(logRates.count); pass arrays of the same shape")
        var total = 0.0
        for i in counts.indices {
            let y = Double(counts[i])
            if y.isNaN { continue }
            let lr = Double(logRates[i])
            total += exp(lr) - y * lr + logGamma(y + 1)
        }
        return total
    }

    /// Per-neuron mean count over all non-missing elements (the NLB null model's rates).
    public static func meanRatePerNeuron(counts: [Float], neurons: Int) throws -> [Double] {
        try require(neurons > 0 && counts.count % neurons == 0,
                    "mean rate: \(counts.count) elements is not a multiple of neurons=\(neurons); pass the last-axis size")
        var sum = [Double](repeating: 0, count: neurons)
        var n = [Int](repeating: 0, count: neurons)
        for i in counts.indices where !counts[i].isNaN {
            sum[i % neurons] += Double(counts[i]); n[i % neurons] += 1
        }
        return (0..<neurons).map { n[$0] > 0 ? sum[$0] / Double(n[$0]) : 0 }
    }

    /// Bits per spike (NLB definition): (LL_model − LL_null) / (n_spikes · ln 2).
    ///
    /// The null model predicts, for every bin, a per-neuron constant rate. By default (NLB) that
    /// rate is the per-neuron mean of the **evaluated counts themselves**; pass `nullRates`
    /// (e.g. training-set means) to use another null. Throws if there are no spikes.
    public static func bitsPerSpike(counts: [Float], rates: [Float], neurons: Int,
                                    nullRates: [Double]? = nil) throws -> Double {
        try require(counts.count == rates.count,
                    "bits/spike: counts has \(counts.count) elements but rates has \(rates.count); pass arrays of the same shape")
        let null = try nullRates ?? meanRatePerNeuron(counts: counts, neurons: neurons)
        try require(null.count == neurons,
                    "bits/spike: nullRates has \(null.count) entries but neurons=\(neurons)")
        var spikes = 0.0, nllNull = 0.0
        for i in counts.indices {
            let y = Double(counts[i])
            if y.isNaN { continue }
            spikes += y
            let lam = max(null[i % neurons], rateFloor)
            nllNull += lam - y * log(lam) + logGamma(y + 1)
        }
        try require(spikes > 0, "bits/spike: the evaluated counts contain no spikes; bits per spike is undefined")
        let nllModel = try negativeLogLikelihood(counts: counts, rates: rates)
        return (nllNull - nllModel) / (spikes * M_LN2)
    }
}
