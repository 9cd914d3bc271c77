extension LFADSDataset {
    /// The same recordings in the lfads-torch layout with the last `count` neurons held out: the
    /// encoder sees the first N − count neurons (`encod_data`), the model reconstructs all N
    /// (`recon_data`, with the truth). This is how co-bps is measured on synthetic benchmarks.
    /// - Throws: `DataFileError` when `count` leaves no held-in neuron or the data already holds some out.
    public func holdingOut(lastNeurons count: Int) throws -> LFADSDataset {
        guard count > 0, count < encodNeurons else {
            throw DataFileError(path: "", key: "heldout", "holding out \(count) of \(encodNeurons) neurons leaves none held in (or none held out); use 1…\(max(encodNeurons - 1, 1))")
        }
        guard reconNeurons == encodNeurons, reconTime == encodTime else {
            throw DataFileError(path: "", key: "recon_data", "the data already has held-out neurons or forward bins")
        }
        var d = self
        d.convention = .lfadsTorch
        for (name, s) in splits {
            let all = s.encod, keep = all.channels - count
            var encod = Array3D(trials: all.trials, time: all.time, channels: keep)
            for row in 0..<(all.trials * all.time) {
                for k in 0..<keep { encod.values[row * keep + k] = all.values[row * all.channels + k] }
            }
            d.splits[name] = LFADSSplit(encod: encod, recon: all, extInput: s.extInput, truth: s.truth,
                                        latents: s.latents, inds: s.inds)
        }
        return d
    }
}
