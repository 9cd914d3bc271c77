import Engine

/// Temporal-shift augmentation (lfads-torch TemporalShift): each channel of each trial moves in
/// time by its own whole number of bins, `round(N(0, std))` clamped to ±`maxShift`, with the
/// trial's first and last values repeated into the bins the shift uncovers. Training only; the
/// encoder input and the reconstruction targets get independent draws.
public enum TemporalShift {
    /// One shift per trial and channel (trial-major, `trials × channels`), drawn from `rng`.
    /// Draws nothing and returns zeros when `std` is 0.
    public static func draw(trials: Int, channels: Int, std: Double, maxShift: Int, rng: inout Rng) -> [Int] {
        guard std > 0, maxShift > 0 else { return [Int](repeating: 0, count: trials * channels) }
        let limit = Double(maxShift)
        return (0..<(trials * channels)).map { _ in Int(min(max((rng.normal() * std).rounded(), -limit), limit)) }
    }

    /// Shifts trial-major (trial, bin, channel) `data` in place: `new[t] = old[clamp(t − s, 0, bins − 1)]`
    /// with `s = shifts[trial · channels + channel]` (positive `s` moves the series later).
    public static func apply(_ data: inout [Float], trials: Int, bins: Int, channels: Int, shifts: [Int],
                             scratch: inout [Float]) {
        precondition(data.count == trials * bins * channels && shifts.count == trials * channels,
                     "TemporalShift.apply: \(data.count) values and \(shifts.count) shifts for \(trials)×\(bins)×\(channels)")
        guard bins > 1, shifts.contains(where: { $0 != 0 }) else { return }
        if scratch.count < bins { scratch = [Float](repeating: 0, count: bins) }
        for trial in 0..<trials {
            let base = trial * bins * channels
            for ch in 0..<channels {
                let s = shifts[trial * channels + ch]
                guard s != 0 else { continue }
                for t in 0..<bins { scratch[t] = data[base + t * channels + ch] }
                for t in 0..<bins { data[base + t * channels + ch] = scratch[min(max(t - s, 0), bins - 1)] }
            }
        }
    }

    /// Augments a copy of one session's train arrays: one draw shifts `encod`, a second
    /// independent draw shifts `recon` and, with the same shifts, its observed mask (so
    /// missing targets stay masked where they land).
    static func apply(_ split: inout SplitArrays, encodBins: Int, encodChannels: Int, reconBins: Int, reconChannels: Int,
                      std: Double, maxShift: Int, rng: inout Rng, scratch: inout [Float]) {
        let encodShifts = draw(trials: split.trials, channels: encodChannels, std: std, maxShift: maxShift, rng: &rng)
        let reconShifts = draw(trials: split.trials, channels: reconChannels, std: std, maxShift: maxShift, rng: &rng)
        apply(&split.encod, trials: split.trials, bins: encodBins, channels: encodChannels, shifts: encodShifts, scratch: &scratch)
        apply(&split.recon, trials: split.trials, bins: reconBins, channels: reconChannels, shifts: reconShifts, scratch: &scratch)
        if var observed = split.observed {
            split.observed = nil
            apply(&observed, trials: split.trials, bins: reconBins, channels: reconChannels, shifts: reconShifts, scratch: &scratch)
            split.observed = observed
        }
    }
}
