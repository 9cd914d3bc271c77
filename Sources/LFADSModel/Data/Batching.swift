/// Seeded shuffled batches with drop_last.
public enum Batching {
    /// Trial indices of each full batch of one epoch, shuffled with `rng`.
    /// When there are fewer trials than `batchSize`, one batch of all trials is returned.
    public static func epochBatches<R: RandomNumberGenerator>(trials: Int, batchSize: Int, rng: inout R) -> [[Int]] {
        var order = Array(0..<trials)
        order.shuffle(using: &rng)
        guard trials >= batchSize else { return trials > 0 ? [order] : [] }
        return stride(from: 0, to: trials - batchSize + 1, by: batchSize).map { Array(order[$0..<($0 + batchSize)]) }
    }

    /// Consecutive batches covering all trials (the last may be short); for evaluation.
    public static func sequentialBatches(trials: Int, batchSize: Int) -> [[Int]] {
        stride(from: 0, to: trials, by: batchSize).map { Array($0..<min($0 + batchSize, trials)) }
    }

    /// Copies trials `idx` of a trial-major (trial, bin, feature) array into the time-major
    /// per-step layout (bin, batch, feature) so step t is a contiguous batch×features block.
    public static func gatherTimeMajor(_ source: [Float], trials idx: [Int], bins: Int, features: Int,
                                       into out: inout [Float]) {
        let b = idx.count
        precondition(out.count >= bins * b * features)
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (j, trial) in idx.enumerated() {
                    for t in 0..<bins {
                        let s = (trial * bins + t) * features, d = (t * b + j) * features
                        for f in 0..<features { dst[d + f] = src[s + f] }
                    }
                }
            }
        }
    }

    /// Inverse of `gatherTimeMajor`: writes a (bin, batch, feature) block back to trials `idx`
    /// of a trial-major array.
    public static func scatterTrialMajor(_ block: [Float], trials idx: [Int], bins: Int, features: Int,
                                         into out: inout [Float]) {
        let b = idx.count
        for (j, trial) in idx.enumerated() {
            for t in 0..<bins {
                let d = (trial * bins + t) * features, s = (t * b + j) * features
                for f in 0..<features { out[d + f] = block[s + f] }
            }
        }
    }
}
