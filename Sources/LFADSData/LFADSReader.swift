import Foundation

/// Reads LFADS data files in either convention (auto-detected), whatever the file's name.
/// Inputs are opened read-only and never modified.
public enum LFADSReader {
    /// Accepted range of `conversion_factor` (file truth ÷ counts per bin; e.g. 100 for Hz with 10 ms bins).
    public static let minConversionFactor = 1e-6, maxConversionFactor = 1e6

    /// True for the keys the reader interprets (an external link there is an error, elsewhere it is ignored).
    static func isLFADSKey(_ key: String) -> Bool {
        key == "conversion_factor" || ["_data", "_inds", "_truth", "_ext_input", "_latents", "_lowd"].contains { key.hasSuffix($0) }
    }

    /// Reads and validates `path`; throws the first problem found as a `DataFileError`.
    public static func read(_ path: String, options: LFADSReadOptions = .init()) throws -> LFADSDataset {
        let dataset = try readUnvalidated(path, truthScale: options.truthScale, detectTruthScale: options.requireCounts)
        if let problem = LFADSValidator.problems(in: dataset, path: path, options: options).first { throw problem }
        return dataset
    }

    /// Reads the structure (keys, ranks) without checking contents; `LFADSValidator` lists the
    /// content problems. Throws for unreadable files, missing required keys and wrong ranks.
    /// `truthScale` (file truth / scale = counts per bin) overrides `conversion_factor`; without
    /// either, `detectTruthScale` (spike counts only) tells counts per bin from Hz (`TruthScale`).
    public static func readUnvalidated(_ path: String, truthScale: Double? = nil,
                                       detectTruthScale: Bool = true) throws -> LFADSDataset {
        let file = try HDF5File(path: path, mode: .readOnly)
        defer { file.close() }
        let (names, externalLinks) = try file.linkInventory()
        // External links are never followed (they point into other files); one in place of an LFADS key is an error.
        if let link = externalLinks.first(where: isLFADSKey) {
            throw DataFileError(path: path, key: link, "is an external link into another file; external links are not followed: copy the data into this file")
        }
        // Every dataset's declared size against the file and memory before anything is read.
        for key in names { try file.checkReadable(key) }
        let keys = Set(names)
        var used = Set<String>()
        let convention: LFADSConvention
        if keys.contains(where: { $0.hasSuffix("_encod_data") }) {
            convention = .lfadsTorch
        } else if keys.contains("train_data") || keys.contains("valid_data") {
            convention = .original
        } else {
            throw DataFileError(path: path, key: "train_data",
                                "missing: found neither train_data/valid_data (original LFADS) nor *_encod_data (lfads-torch); is this an LFADS data file?")
        }

        func array3(_ key: String) throws -> Array3D? {
            guard keys.contains(key) else { return nil }
            used.insert(key)
            let (declared, _) = try file.info(key)   // rank and dtype before any data is read
            guard declared.count == 3 else {
                throw DataFileError(path: path, key: key, "expected a 3-D array (trials × time × channels) but found shape \(declared)")
            }
            let (values, shape) = try file.readFloats(key)
            return Array3D(trials: shape[0], time: shape[1], channels: shape[2], values: values)
        }
        func required(_ key: String) throws -> Array3D {
            guard let a = try array3(key) else { throw DataFileError(path: path, key: key, "missing required dataset") }
            return a
        }

        var splits: [LFADSSplitName: LFADSSplit] = [:]
        var countsDType = HDF5DType.float32
        for name in LFADSSplitName.allCases {
            let s = name.rawValue
            let encodKey = convention == .original ? "\(s)_data" : "\(s)_encod_data"
            let needed = name != .test
            guard needed || keys.contains(encodKey) else { continue }
            let encod = try required(encodKey)
            if name == .train || (name == .valid && splits.isEmpty) { countsDType = try file.info(encodKey).dtype }
            let recon: Array3D?
            switch convention {
            case .original: recon = encod
            case .lfadsTorch: recon = needed ? try required("\(s)_recon_data") : try array3("\(s)_recon_data")
            }
            var inds: [Int]?
            if keys.contains("\(s)_inds") {
                used.insert("\(s)_inds")
                let (v, shape) = try file.readInts("\(s)_inds")
                guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
                    throw DataFileError(path: path, key: "\(s)_inds", "expected a 1-D index vector but found shape \(shape)")
                }
                inds = v
            }
            splits[name] = LFADSSplit(
                encod: encod, recon: recon,
                extInput: try array3("\(s)_ext_input"),
                truth: try array3("\(s)_truth"),
                latents: try array3("\(s)_latents") ?? array3("\(s)_lowd"),
                inds: inds)
        }

        var conversionFactor: Double?
        var scale: TruthScale?
        if keys.contains("conversion_factor") {
            used.insert("conversion_factor")
            let cf = try file.readScalar("conversion_factor")
            guard cf.isFinite, cf >= minConversionFactor, cf <= maxConversionFactor else {
                throw DataFileError(path: path, key: "conversion_factor", "must be a positive finite number from \(String(format: "%g", minConversionFactor)) to \(String(format: "%g", maxConversionFactor)) (file truth ÷ counts per bin), found \(cf)")
            }
            conversionFactor = cf
            scale = TruthScale(factor: cf, source: .fileFactor)
        }
        if let user = truthScale {
            guard user.isFinite, user > 0 else {
                throw DataFileError(path: path, key: "truth", "--truth-scale must be a positive finite number, found \(user)")
            }
            scale = TruthScale(factor: user, source: .user)
        } else if scale == nil, detectTruthScale, let s = [LFADSSplitName.train, .valid, .test].lazy.compactMap({ splits[$0] }).first(where: { $0.truth != nil }),
                  let truth = s.truth, let target = s.recon ?? Optional(s.encod), truth.shape == target.shape {
            scale = TruthScale.detect(truth: truth.values, counts: target.values, channels: target.channels)
        }
        if let scale, scale.factor != 1 {
            // Written back with this factor, so a rewritten file says what its truth is.
            conversionFactor = scale.factor
            for (name, split) in splits {
                if let t = split.truth { splits[name]!.truth = t.map { Float(Double($0) / scale.factor) } }
            }
        }

        var extras: [String: HDF5Array] = [:]
        for key in names where !used.contains(key) {
            // Kept verbatim for the outputs: an unread key must still not declare more data than the file or memory holds.
            try file.checkReadable(key, bytesPerElement: 8)
            if let array = try? file.readArray(key) { extras[key] = array }
        }
        var dataset = LFADSDataset(convention: convention, splits: splits, countsDType: countsDType,
                                   conversionFactor: conversionFactor, extras: extras)
        dataset.truthScale = dataset.hasTruth ? scale : nil
        return dataset
    }
}
