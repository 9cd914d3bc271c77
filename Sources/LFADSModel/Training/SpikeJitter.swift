/// Spike-jitter augmentation (lfads-torch SpikeJitter): every unit spike of a count moves by an
/// independent uniform shift in [−width, width] bins, reflected at the trial edges.
/// Total spike count per neuron and trial is preserved.
public enum SpikeJitter {
    /// Jitters one split's counts in place; `data` is trial-major (trial, bin, neuron).
    /// Counts are rounded to integers first.
    public static func apply<R: RandomNumberGenerator>(_ data: inout [Float], trials: Int, bins: Int, neurons: Int, width: Int,
                             rng: inout R, scratch: inout [Float]) {
        guard width > 0, bins > 1 else { return }
        let perTrial = bins * neurons
        if scratch.count < perTrial { scratch = [Float](repeating: 0, count: perTrial) }
        for trial in 0..<trials {
            let base = trial * perTrial
            for i in 0..<perTrial { scratch[i] = 0 }
            for t in 0..<bins {
                for n in 0..<neurons {
                    let count = Int(data[base + t * neurons + n].rounded())
                    guard count > 0 else { continue }
                    for _ in 0..<count {
                        let dest = reflect(t + Int.random(in: -width...width, using: &rng), bins: bins)
                        scratch[dest * neurons + n] += 1
                    }
                }
            }
            for i in 0..<perTrial { data[base + i] = scratch[i] }
        }
    }

    /// Reflects a bin index into `0..<bins` (`|t|` below 0, `2(bins−1)−t` past the end).
    static func reflect(_ t: Int, bins: Int) -> Int {
        var t = t
        let last = bins - 1
        while t < 0 || t > last { t = t < 0 ? -t : 2 * last - t }
        return t
    }
}
