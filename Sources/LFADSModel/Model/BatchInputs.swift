/// One batch laid out time-major for the network: step t of an array with F features is the
/// contiguous B×F block at offset t·B·F. Buffers are reused across batches of the same size.
public final class BatchInputs {
    public private(set) var batch = 0
    let shape: (tEnc: Int, nEnc: Int, tRec: Int, nRec: Int, ext: Int)
    /// Encoder input, already multiplied by the CD and SV input scales (Tenc×B×Nenc).
    var encod: [Float] = []
    /// Reconstruction targets (Trec×B×Nrec).
    var recon: [Float] = []
    /// External inputs (Trec×B×ext), zero-padded past the data's length.
    var ext: [Float] = []
    /// CD gradient mask (Trec×B×Nrec; all ones outside training).
    var gradMask: [Float] = []
    /// SV held-in mask (Trec×B×Nrec; 1 = held in, also for forward steps and held-out neurons).
    var lossMask: [Float] = []
    /// Observed-entry mask of the targets (Trec×B×Nrec; 0 = missing), meaningful when `hasMissing`.
    var observed: [Float] = []
    /// True when the loaded batch has missing targets.
    var hasMissing = false
    /// Scratch for input scales (Tenc×B×Nenc).
    var inputScale: [Float] = []

    init(encodBins: Int, encodNeurons: Int, reconBins: Int, reconNeurons: Int, extDim: Int) {
        shape = (encodBins, encodNeurons, reconBins, reconNeurons, extDim)
    }

    var batchShape: BatchShape {
        BatchShape(batch: batch, encodBins: shape.tEnc, encodNeurons: shape.nEnc, reconBins: shape.tRec, reconNeurons: shape.nRec)
    }

    /// Sizes the buffers for `b` trials (no allocation when the size is unchanged).
    func resize(batch b: Int) {
        guard b != batch else { return }
        batch = b
        encod = [Float](repeating: 0, count: shape.tEnc * b * shape.nEnc)
        inputScale = encod
        recon = [Float](repeating: 0, count: shape.tRec * b * shape.nRec)
        gradMask = [Float](repeating: 1, count: recon.count)
        lossMask = gradMask
        observed = gradMask
        ext = [Float](repeating: 0, count: shape.tRec * b * shape.ext)
    }

    /// Fills targets and inputs of trials `idx` from a split (no masks applied; masks all ones).
    func load(_ split: SplitArrays, trials idx: [Int]) {
        resize(batch: idx.count)
        Batching.gatherTimeMajor(split.encod, trials: idx, bins: shape.tEnc, features: shape.nEnc, into: &encod)
        Batching.gatherTimeMajor(split.recon, trials: idx, bins: shape.tRec, features: shape.nRec, into: &recon)
        if shape.ext > 0 {
            ext.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            Batching.gatherTimeMajor(split.ext, trials: idx, bins: split.extBins, features: shape.ext, into: &ext)
        }
        gradMask.withUnsafeMutableBufferPointer { $0.update(repeating: 1) }
        lossMask.withUnsafeMutableBufferPointer { $0.update(repeating: 1) }
        if let obs = split.observed {
            Batching.gatherTimeMajor(obs, trials: idx, bins: shape.tRec, features: shape.nRec, into: &observed)
            hasMissing = observed.contains(0)
        } else {
            hasMissing = false
        }
    }

    /// Multiplies the encoder input by `inputScale` element-wise.
    func applyInputScale() {
        encod.withUnsafeMutableBufferPointer { e in
            inputScale.withUnsafeBufferPointer { s in
                for i in 0..<e.count { e[i] *= s[i] }
            }
        }
    }
}

/// One split's arrays, trial-major (trial, bin, feature), as the trainer uses them.
public struct SplitArrays: Sendable {
    public var trials: Int
    public var encod: [Float]
    public var recon: [Float]
    public var ext: [Float]
    /// Bins stored per trial in `ext` (≤ T_recon).
    public var extBins: Int
    /// Observed mask of `recon` (1 = observed, 0 = missing; missing targets hold a finite
    /// filler), nil when nothing is missing.
    public var observed: [Float]?

    /// `recon` with NaN at missing entries.
    var maskedRecon: [Float] {
        guard let observed else { return recon }
        return zip(recon, observed).map { $1 == 0 ? .nan : $0 }
    }

    public init(trials: Int, encod: [Float], recon: [Float], ext: [Float] = [], extBins: Int = 0) {
        self.trials = trials; self.encod = encod; self.recon = recon; self.ext = ext; self.extBins = extBins
    }

    /// Missing data (selective backpropagation through time, Zhu et al. 2022): NaN encoder inputs become
    /// 0; NaN targets become `filler` and are marked in `observed`. Returns the NaN count.
    @discardableResult
    mutating func maskMissing(filler: Float = 1) -> Int {
        var count = 0
        for i in encod.indices where encod[i].isNaN { encod[i] = 0; count += 1 }
        guard recon.contains(where: \.isNaN) else { return count }
        var obs = [Float](repeating: 1, count: recon.count)
        for i in recon.indices where recon[i].isNaN { recon[i] = filler; obs[i] = 0; count += 1 }
        observed = obs
        return count
    }
}
