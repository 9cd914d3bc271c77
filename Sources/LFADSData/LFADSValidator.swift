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
            // An lfads-torch test split has no recon_data, but the model still outputs recon dims for it.
            let target = split.recon.map { (shape: $0.shape, time: $0.time) }
                ?? (shape: [split.encod.trials, refRecon.time, refRecon.channels], time: refRecon.time)
            if let truth = split.truth {
                let tKey = key(name, "truth")
                if truth.shape != target.shape {
                    fail(tKey, "shape \(truth.shape) does not match the reconstructed data \(target.shape)")
                } else if let bad = truth.values.enumerated().first(where: { i, v in
                    // NaN truth is accepted where the data is missing too (NaN-padded trials of `data from-nwb`).
                    v.isNaN ? !(split.recon.map { $0.values[i].isNaN } ?? options.allowMissing) : (v.isInfinite || v < 0)
                })?.element {
                    fail(tKey, "contains \(bad); true rates must be finite and non-negative (NaN only where the data is missing)")
                } else if let bad = truth.values.first(where: { $0 > Float(maxCount) }) {
                    fail(tKey, "contains \(bad) expected counts per bin, above \(maxCount); check the truth's units (conversion_factor, --truth-scale)")
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
                else if ext.values.contains(where: { abs($0) > Float(maxMagnitude) }) {
                    fail(eKey, "contains values beyond ±\(Int(maxMagnitude)); rescale the external inputs")
                }
            }
            if let lat = split.latents {
                let lKey = key(name, "latents")
                if lat.trials != split.encod.trials {
                    fail(lKey, "has \(lat.trials) trials but \(encKey) has \(split.encod.trials)")
                } else if lat.time != split.encod.time && lat.time != target.time {
                    fail(lKey, "has \(lat.time) time bins but the data has \(split.encod.time) (encod) / \(target.time) (recon)")
                } else if let refLat = ref.latents, lat.channels != refLat.channels {
                    fail(lKey, "has \(lat.channels) latent dimensions but \(key(first, "latents")) has \(refLat.channels)")
                } else if case let nanAllowed = options.allowMissing || (split.recon?.values.contains(where: \.isNaN) ?? false),
                          lat.values.contains(where: { $0.isInfinite || ($0.isNaN && !nanAllowed) }) {
                    fail(lKey, "contains NaN or Inf; true latents must be finite (NaN only in data with missing bins)")
                }
            }
            if let inds = split.inds {
                let iKey = key(name, "inds")
                if inds.count != split.encod.trials {
                    fail(iKey, "has \(inds.count) indices but the split has \(split.encod.trials) trials")
                } else if let bad = inds.first(where: { $0 < 0 || $0 > maxTrialIndex }) {
                    fail(iKey, "contains \(bad); trial indices must be in 0…\(maxTrialIndex)")
                } else if let dup = firstRepeat(inds) {
                    fail(iKey, "contains trial index \(dup) more than once; each trial of a split has its own index")
                }
            }
        }
        for name in [LFADSSplitName.train, .valid] where d.splits[name] == nil {
            fail(key(name, "encod"), "missing required dataset")
        }
        return out
    }

    /// Largest spike count (and true expected count) per bin accepted: far above any recording.
    public static let maxCount = 1_000_000
    /// Largest magnitude accepted in continuous data and external inputs.
    public static let maxMagnitude = 1e9
    /// Largest `*_inds` trial index accepted.
    public static let maxTrialIndex = Int(Int32.max)

    /// The first value that occurs twice. (Indices may repeat across splits: files written with
    /// per-split numbering, as the outputs without `*_inds` are, count each split from 0.)
    private static func firstRepeat(_ values: [Int]) -> Int? {
        var seen = Set<Int>()
        for v in values where !seen.insert(v).inserted { return v }
        return nil
    }

    private static func checkCounts(_ a: Array3D, _ key: String, _ options: LFADSReadOptions,
                                    _ fail: (String, String) -> Void) {
        var nan = 0, inf = 0, negative = 0, fractional = 0, huge = 0
        let cap = Float(options.requireCounts ? Double(maxCount) : maxMagnitude)
        for v in a.values {
            if v.isNaN { nan += 1 } else if v.isInfinite { inf += 1 }
            else {
                if abs(v) > cap { huge += 1 }
                if v < 0 { negative += 1 } else if v != v.rounded() { fractional += 1 }
            }
        }
        if inf > 0 { fail(key, "contains \(inf) infinite values; counts must be finite") }
        if huge > 0 {
            fail(key, options.requireCounts ? "contains \(huge) counts above \(maxCount) per bin; spike counts that large are not plausible (check the units)"
                                            : "contains \(huge) values beyond ±\(Int(maxMagnitude)); rescale the data")
        }
        if nan > 0 && !options.allowMissing {
            fail(key, "contains \(nan) NaN values; remove them or mark them as missing (allow_missing=true for training, --allow-missing for data inspect)")
        }
        if options.requireCounts {
            if negative > 0 { fail(key, "contains \(negative) negative values; Poisson counts must be ≥ 0") }
            if fractional > 0 {
                fail(key, "contains \(fractional) non-integer values; Poisson counts must be whole numbers (or choose a continuous observation model)")
            }
        }
    }
}
