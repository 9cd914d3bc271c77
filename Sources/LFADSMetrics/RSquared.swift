/// Coefficient of determination between predictions and targets.
///
/// Arrays are flattened row-major with the last axis of size `neurons` (or latent dims).
/// R² = 1 − SS_res / SS_tot with SS_tot taken around the mean of the targets.
public enum RSquared {
    /// R² pooled over every element (one grand mean of the targets).
    public static func pooled(predicted: [Float], target: [Float]) throws -> Double {
        try require(predicted.count == target.count,
                    "R²: predicted has \(predicted.count) elements but target has \(target.count); pass arrays of the same shape")
        try require(!target.isEmpty, "R²: empty arrays; pass at least one element")
        var mean = 0.0
        for v in target { mean += Double(v) }
        mean /= Double(target.count)
        var res = 0.0, tot = 0.0
        for i in target.indices {
            let d = Double(target[i]) - Double(predicted[i]); res += d * d
            let c = Double(target[i]) - mean; tot += c * c
        }
        try require(tot > 0, "R²: target has zero variance; R² is undefined")
        return 1 - res / tot
    }

    /// R² per neuron (column of the last axis). A neuron whose target is constant gets NaN.
    /// Pairs where the target or the prediction is NaN (missing data) are left out.
    public static func perNeuron(predicted: [Float], target: [Float], neurons: Int) throws -> [Double] {
        let (res, tot) = try sums(predicted: predicted, target: target, neurons: neurons)
        return (0..<neurons).map { tot[$0] > 0 ? 1 - res[$0] / tot[$0] : .nan }
    }

    /// 1 − Σ SS_res / Σ SS_tot over neurons, each neuron's SS_tot around its own mean (scikit-learn's
    /// `multioutput="variance_weighted"`): the per-neuron R² weighted by each neuron's target variance, so
    /// neurons whose true rate barely moves count little and constant ones (weight 0) not at all. NaN pairs
    /// are left out as in `perNeuron`.
    public static func varianceWeighted(predicted: [Float], target: [Float], neurons: Int) throws -> Double {
        let (res, tot) = try sums(predicted: predicted, target: target, neurons: neurons)
        let weighted = tot.indices.filter { tot[$0] > 0 }
        let total = weighted.reduce(0) { $0 + tot[$1] }
        try require(total > 0, "R²: every neuron's target is constant; R² is undefined")
        return 1 - weighted.reduce(0) { $0 + res[$1] } / total
    }

    /// Per-neuron SS_res and SS_tot (around the neuron's mean) over the pairs without NaN.
    private static func sums(predicted: [Float], target: [Float], neurons: Int) throws -> (res: [Double], tot: [Double]) {
        try require(predicted.count == target.count,
                    "R²: predicted has \(predicted.count) elements but target has \(target.count); pass arrays of the same shape")
        try require(neurons > 0 && target.count % neurons == 0 && !target.isEmpty,
                    "R²: \(target.count) elements is not a positive multiple of neurons=\(neurons)")
        var mean = [Double](repeating: 0, count: neurons), n = mean
        for i in target.indices where !target[i].isNaN && !predicted[i].isNaN {
            mean[i % neurons] += Double(target[i]); n[i % neurons] += 1
        }
        for j in 0..<neurons { mean[j] /= max(n[j], 1) }
        var res = [Double](repeating: 0, count: neurons), tot = res
        for i in target.indices where !target[i].isNaN && !predicted[i].isNaN {
            let j = i % neurons
            let d = Double(target[i]) - Double(predicted[i]); res[j] += d * d
            let c = Double(target[i]) - mean[j]; tot[j] += c * c
        }
        return (res, tot)
    }

    /// Mean of the per-neuron R² over neurons with non-constant targets.
    public static func meanOverNeurons(predicted: [Float], target: [Float], neurons: Int) throws -> Double {
        let r = try perNeuron(predicted: predicted, target: target, neurons: neurons).filter { !$0.isNaN }
        try require(!r.isEmpty, "R²: every neuron's target is constant; R² is undefined")
        return r.reduce(0, +) / Double(r.count)
    }
}
