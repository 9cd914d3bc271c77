import Foundation
import LFADSData

/// Fit-to-truth scoring for synthetic data and the Gaussian-smoothing baseline (pure functions).
public enum TruthRecovery {
    /// Mean over neurons of R² between `truth` and the per-neuron least-squares affine map of
    /// `predicted` (both trial-major, last axis `neurons`); NaN predictions are skipped.
    public static func affineR2(predicted: [Float], truth: [Float], neurons n: Int) -> Double {
        var total = 0.0
        for k in 0..<n {
            var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0, syy = 0.0, m = 0.0
            for i in stride(from: k, to: truth.count, by: n) where !predicted[i].isNaN {
                let x = Double(predicted[i]), y = Double(truth[i])
                sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y; m += 1
            }
            guard m > 1 else { continue }
            let vx = sxx - sx * sx / m, vy = syy - sy * sy / m, cxy = sxy - sx * sy / m
            guard vy > 0 else { continue }
            total += vx > 0 ? cxy * cxy / (vx * vy) : 0
        }
        return total / Double(n)
    }

    /// Gaussian-kernel smoothing over time of each trial and neuron with width `sigma` bins,
    /// averaging only observed (non-NaN) entries.
    public static func smooth(_ data: Array3D, sigma: Double) -> [Float] {
        let t = data.time, n = data.channels
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        let kernel = (-radius...radius).map { exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
        var out = [Float](repeating: .nan, count: data.values.count)
        for b in 0..<data.trials {
            for k in 0..<n {
                for s in 0..<t {
                    var num = 0.0, den = 0.0
                    for d in -radius...radius where s + d >= 0 && s + d < t {
                        let v = data.values[(b * t + s + d) * n + k]
                        if !v.isNaN { num += kernel[d + radius] * Double(v); den += kernel[d + radius] }
                    }
                    if den > 0 { out[(b * t + s) * n + k] = Float(num / den) }
                }
            }
        }
        return out
    }

    /// The smoothing baseline: the width (bins) with the best train R², and its valid R².
    public static func smoothingBaseline(train: LFADSSplit, valid: LFADSSplit,
                                         widths: [Double] = [0.5, 1, 1.5, 2, 3, 4, 6, 8]) -> (width: Double, trainR2: Double, validR2: Double) {
        let target = { (s: LFADSSplit) in s.recon ?? s.encod }
        var best = (width: widths[0], trainR2: -Double.infinity)
        for w in widths {
            let r2 = affineR2(predicted: smooth(target(train), sigma: w), truth: train.truth!.values, neurons: target(train).channels)
            if r2 > best.trainR2 { best = (w, r2) }
        }
        let v = affineR2(predicted: smooth(target(valid), sigma: best.width), truth: valid.truth!.values, neurons: target(valid).channels)
        return (best.width, best.trainR2, v)
    }

    /// R² of a trained model's posterior-mean outputs (`output_params`) against the truth of `split`.
    public static func modelR2(_ trainer: Trainer, split: LFADSSplit, samples: Int = 10) throws -> Double {
        let out = try trainer.posteriorOutputs(split, samples: samples)
        return affineR2(predicted: out.arrays["output_params"]!.values, truth: split.truth!.values,
                        neurons: trainer.config.reconDataDim)
    }
}
