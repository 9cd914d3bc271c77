/// Fills the arrays of one split from the binned sources: counts (held-in first, then held-out;
/// window bins, NaN padding for shorter whole trials, then the forward bins), truth in counts per
/// bin, latents and behaviour.
struct NWBSplitAssembler {
    let raster: NWBSpikeRaster
    /// Unit rows in channel order (held-in, then held-out).
    let channelUnits: [Int]
    let heldInCount: Int
    let masks: [NWBObservedMask]
    let behaviors: [NWBContinuous]
    let filter: [Double]
    let rates: NWBBinAverage?
    let latents: NWBBinAverage?
    let binSeconds: Double
    let windowBins: Int
    let forwardBins: Int

    /// Encoder input, reconstruction target (nil for test), truth, latents and trial ids.
    func split(_ members: [NWBTrialBins], withRecon: Bool) -> LFADSSplit {
        let B = members.count, T = windowBins, F = forwardBins, n = channelUnits.count
        var recon = [Float](repeating: .nan, count: B * (T + F) * n)
        var truth = rates.map { _ in recon }
        var lat = latents.map { l in [Float](repeating: .nan, count: B * (T + F) * l.channels) }
        for (b, tb) in members.enumerated() {
            let timeRows = Array(tb.window) + Array(tb.forward)
            let positions = Array(0..<tb.window.count) + Array(T..<(T + F))
            for (ch, unit) in channelUnits.enumerated() {
                let counts = raster.counts(unit: unit, rows: tb.window, mask: masks[ch]) + raster.counts(unit: unit, rows: tb.forward, mask: masks[ch])
                for (k, t) in positions.enumerated() { recon[(b * (T + F) + t) * n + ch] = counts[k] }
            }
            for (k, t) in positions.enumerated() {
                if let r = rates {
                    let row = r.binned(rows: timeRows[k]..<(timeRows[k] + 1), scale: binSeconds)[0]
                    for (ch, unit) in channelUnits.enumerated() { truth![(b * (T + F) + t) * n + ch] = Float(row[unit]) }
                }
                if let l = latents {
                    let row = l.binned(rows: timeRows[k]..<(timeRows[k] + 1), scale: 1)[0]
                    for ch in 0..<l.channels { lat![(b * (T + F) + t) * l.channels + ch] = Float(row[ch]) }
                }
            }
        }
        var encod = [Float]()
        encod.reserveCapacity(B * T * heldInCount)
        for b in 0..<B {
            for t in 0..<T {
                let start = (b * (T + F) + t) * n
                encod += recon[start..<(start + heldInCount)]
            }
        }
        let full = Array3D(trials: B, time: T + F, channels: n, values: recon)
        return LFADSSplit(encod: Array3D(trials: B, time: T, channels: heldInCount, values: encod),
                          recon: withRecon ? full : nil,
                          truth: truth.map { Array3D(trials: B, time: T + F, channels: n, values: $0) },
                          latents: latents.flatMap { l in lat.map { Array3D(trials: B, time: T + F, channels: l.channels, values: $0) } },
                          inds: members.map(\.id))
    }

    /// Behaviour (trials × window bins × channels of every series), nil without behaviour.
    func behavior(_ members: [NWBTrialBins]) -> HDF5Array? {
        guard !behaviors.isEmpty else { return nil }
        let B = members.count, T = windowBins
        let d = behaviors.reduce(0) { $0 + $1.channels }
        var beh = [Double](repeating: .nan, count: B * T * d)
        for (b, tb) in members.enumerated() {
            var offset = 0
            for sig in behaviors {
                for ch in 0..<sig.channels {
                    let v = sig.resampled(rows: tb.behavior, channel: ch, filter: filter)
                    for t in 0..<min(T, v.count) { beh[(b * T + t) * d + offset + ch] = v[t] }
                }
                offset += sig.channels
            }
        }
        return HDF5Array(shape: [B, T, d], dtype: .float32, values: beh)
    }
}
