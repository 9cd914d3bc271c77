import Engine

/// Shapes of one batch in the time-major layout the model reads: element (t, b, n) of an
/// array with `n` neurons lives at `(t·batch + b)·n + n`.
public struct BatchShape: Equatable, Sendable {
    public var batch: Int, encodBins: Int, encodNeurons: Int, reconBins: Int, reconNeurons: Int
    public init(batch: Int, encodBins: Int, encodNeurons: Int, reconBins: Int, reconNeurons: Int) {
        self.batch = batch; self.encodBins = encodBins; self.encodNeurons = encodNeurons
        self.reconBins = reconBins; self.reconNeurons = reconNeurons
    }
    public var encodCount: Int { batch * encodBins * encodNeurons }
    public var reconCount: Int { batch * reconBins * reconNeurons }
}

/// Coordinated dropout (training only): draws the input mask and the gradient mask for a batch.
public enum CoordinatedDropout {
    /// Fills `inputScale` (encod shape: 0 where hidden, `1/(1−rate)` where seen; 1 before
    /// `icEncSeqLen`) and `gradMask` (recon shape: 1 where the loss passes gradient). The gradient
    /// mask is `(¬seen) ∨ pass` inside the encoder window and 1 for forward-prediction steps and
    /// held-out neurons. With `rate == 0` both masks are all ones.
    public static func draw<R: RandomNumberGenerator>(shape s: BatchShape, rate: Double, passRate: Double, icEncSeqLen: Int,
                            rng: inout R, inputScale: inout [Float], gradMask: inout [Float]) {
        precondition(inputScale.count == s.encodCount && gradMask.count == s.reconCount)
        for i in 0..<gradMask.count { gradMask[i] = 1 }
        guard rate > 0 else {
            for i in 0..<inputScale.count { inputScale[i] = 1 }
            return
        }
        let keep = Float(1 - rate), scale = 1 / Float(1 - rate), pass = Float(passRate)
        for t in 0..<s.encodBins {
            for b in 0..<s.batch {
                let e = (t * s.batch + b) * s.encodNeurons, r = (t * s.batch + b) * s.reconNeurons
                for n in 0..<s.encodNeurons {
                    if t < icEncSeqLen {
                        inputScale[e + n] = 1
                        gradMask[r + n] = pass > 0 && unitFloat(&rng) < pass ? 1 : 0
                        continue
                    }
                    let seen = unitFloat(&rng) < keep
                    inputScale[e + n] = seen ? scale : 0
                    let passes = pass > 0 && unitFloat(&rng) < pass
                    gradMask[r + n] = (!seen || passes) ? 1 : 0
                }
            }
        }
    }
}

/// Sample validation: a fixed per-element held-in (1) / held-out (0) mask over a split's encoder
/// window, drawn once from `svSeed`, stored trial-major (trial, bin, neuron).
public struct SampleValidationMask: Equatable, Sendable {
    public let trials: Int, bins: Int, neurons: Int
    public let rate: Double
    /// 1 = held in, 0 = held out.
    public let mask: [Float]

    /// Draws the mask for a split; `stream` separates splits. `rate == 0` gives all ones.
    public init(trials: Int, bins: Int, neurons: Int, rate: Double, seed: Int, stream: UInt64) {
        self.trials = trials; self.bins = bins; self.neurons = neurons; self.rate = rate
        var rng = Rng(seed: UInt64(seed), stream: 0x5356_0000 &+ stream)
        let keep = Float(1 - rate)
        mask = rate > 0 ? (0..<(trials * bins * neurons)).map { _ in unitFloat(&rng) < keep ? 1 : 0 }
            : [Float](repeating: 1, count: trials * bins * neurons)
    }

    /// Writes the input scale of a batch (encod time-major: 0 held out, `1/(1−rate)` held in).
    public func inputScale(trials idx: [Int], into out: inout [Float]) {
        let scale = rate > 0 ? 1 / Float(1 - rate) : 1
        gather(idx, into: &out, bins: bins, neurons: neurons) { $0 * scale }
    }

    /// Writes the held-in mask of a batch in recon time-major shape, padded with 1 for
    /// forward-prediction steps and held-out neurons.
    public func reconMask(trials idx: [Int], reconBins: Int, reconNeurons: Int, into out: inout [Float]) {
        for i in 0..<out.count { out[i] = 1 }
        let b = idx.count
        for (j, trial) in idx.enumerated() {
            for t in 0..<bins {
                let src = (trial * bins + t) * neurons, dst = (t * b + j) * reconNeurons
                for n in 0..<neurons { out[dst + n] = mask[src + n] }
            }
        }
    }

    private func gather(_ idx: [Int], into out: inout [Float], bins: Int, neurons: Int, _ f: (Float) -> Float) {
        let b = idx.count
        for (j, trial) in idx.enumerated() {
            for t in 0..<bins {
                let src = (trial * bins + t) * neurons, dst = (t * b + j) * neurons
                for n in 0..<neurons { out[dst + n] = f(mask[src + n]) }
            }
        }
    }
}

/// Uniform Float in [0, 1) with 24 random bits from any generator.
@inline(__always) func unitFloat<R: RandomNumberGenerator>(_ rng: inout R) -> Float {
    Float(rng.next() >> 40) * 0x1p-24
}
