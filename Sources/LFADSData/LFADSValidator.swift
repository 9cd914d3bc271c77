/// Content checks on a dataset read from `path`. Each problem is one `DataFileError`
/// naming the file, the key and what is wrong.
public enum LFADSValidator {
    /// Every problem found, in a stable order (empty = valid).
    public static func problems(in d: LFADSDataset, path: String, options: LFADSReadOptions = .init()) -> [DataFileError] {
        var out: [DataFileError] = []
        func fail(_ key: String, _ problem: String) { out.append(DataFileError(path: path, key: key, problem)) }
        let torch = d.convention == .lfadsTorch
        func key(_ s: LFADSSplitName, _ what: String) -> String {
            switch what {
            case "encod": return torch ? "\(s.rawValue)_encod_data" : "\(s.rawValue)_data"
            case "recon": return torch ? "\(s.rawValue)_recon_data" : "\(s.rawValue)_data"
            default: return "\(s.rawValue)_\(what)"
            }
        }

        let ordered = d.splits.keys.sorted()
        guard let first = ordered.first, let ref = d.splits[first] else {
            return [DataFileError(path: path, key: "train_data", "no data splits found")]
        }
        let refRecon = ref.recon ?? ref.encod
        for name in ordered {
            let split = d.splits[name]!
            let encKey = key(name, "encod")
            if split.encod.trials == 0 { fail(encKey, "split is empty (0 trials); put at least one trial in every split") }
            if split.encod.time == 0 || split.encod.channels == 0 {
                fail(encKey, "has zero time bins or channels (shape \(split.encod.shape))")
            }
            if split.encod.time != ref.encod.time || split.encod.channels != ref.encod.channels {
                fail(encKey, "shape \(split.encod.shape) does not match \(key(first, "encod")) \(ref.encod.shape) in time bins/neurons")
            }
            checkCounts(split.encod, encKey, options, fail)
            if torch, let recon = split.recon {
                let rKey = key(name, "recon")
                if recon.trials != split.encod.trials {
                    fail(rKey, "has \(recon.trials) trials but \(encKey) has \(split.encod.trials)")
                }
                if recon.channels < split.encod.channels || recon.time < split.encod.time {
                    fail(rKey, "shape \(recon.shape) must have at least the encod neurons and time bins \(split.encod.shape)")
                }
                if recon.time != refRecon.time || recon.channels != refRecon.channels {
                    fail(rKey, "shape \(recon.shape) does not match \(key(first, "recon")) \(refRecon.shape) in time bins/neurons")
                }
                checkCounts(recon, rKey, options, fail)
            }
            let target = split.recon ?? split.encod
            if let truth = split.truth {
                let tKey = key(name, "truth")
                if truth.shape != target.shape {
                    fail(tKey, "shape \(truth.shape) does not match the reconstructed data \(target.shape)")
                } else if let bad = truth.values.first(where: { !$0.isFinite || $0 < 0 }) {
                    fail(tKey, "contains \(bad); true rates must be finite and non-negative")
                }
            }
            if let ext = split.extInput {
                let eKey = key(name, "ext_input")
                if ext.trials != split.encod.trials || ext.time < split.encod.time {
                    fail(eKey, "shape \(ext.shape) must have the split's \(split.encod.trials) trials and at least \(split.encod.time) time bins")
                }
                if ext.channels != (ref.extInput?.channels ?? ext.channels) {
                    fail(eKey, "has \(ext.channels) inputs but \(key(first, "ext_input")) has \(ref.extInput?.channels ?? 0)")
                }
                if ext.values.contains(where: { !$0.isFinite }) { fail(eKey, "contains NaN or Inf; external inputs must be finite") }
            }
            if let lat = split.latents, lat.trials != split.encod.trials {
                fail(key(name, "latents"), "has \(lat.trials) trials but \(encKey) has \(split.encod.trials)")
            }
            if let inds = split.inds, inds.count != split.encod.trials {
                fail(key(name, "inds"), "has \(inds.count) indices but the split has \(split.encod.trials) trials")
            }
        }
        for name in [LFADSSplitName.train, .valid] where d.splits[name] == nil {
            fail(key(name, "encod"), "missing required dataset")
        }
        return out
    }

    private static func checkCounts(_ a: Array3D, _ key: String, _ options: LFADSReadOptions,
                                    _ fail: (String, String) -> Void) {
        var nan = 0, inf = 0, negative = 0, fractional = 0
        for v in a.values {
            if v.isNaN { nan += 1 } else if v.isInfinite { inf += 1 }
            else if v < 0 { negative += 1 } else if v != v.rounded() { fractional += 1 }
        }
        if inf > 0 { fail(key, "contains \(inf) infinite values; counts must be finite") }
        if nan > 0 && !options.allowMissing {
            fail(key, "contains \(nan) NaN values; remove them or mark them as missing (allow_missing=1 for training, --allow-missing for data inspect)")
        }
        if options.requireCounts {
            if negative > 0 { fail(key, "contains \(negative) negative values; Poisson counts must be ≥ 0") }
            if fractional > 0 {
                fail(key, "contains \(fractional) non-integer values; Poisson counts must be whole numbers (or choose a continuous observation model)")
            }
        }
    }
}
