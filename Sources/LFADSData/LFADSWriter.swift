/// Writes an `LFADSDataset` in its own convention, atomically (temp file + fsync + rename).
/// Keys are written in sorted order with no timestamps, so equal datasets give equal bytes.
public enum LFADSWriter {
    /// Writes `dataset` to `path`. `gzip` (1…9, nil = uncompressed) applies to every array.
    public static func write(_ dataset: LFADSDataset, to path: String, gzip: Int? = 4) throws {
        try DataFileError.writingAtomically(path) { temp in
            let file = try HDF5File(path: temp, mode: .create)
            defer { file.close() }
            try writeContents(dataset, into: file, gzip: gzip)
            try file.flush()
        }
    }

    /// Writes the dataset's keys into an open file (used by outputs that copy the input).
    public static func writeContents(_ d: LFADSDataset, into file: HDF5File, gzip: Int? = 4) throws {
        var arrays: [(String, Array3D, Bool)] = []   // key, array, is counts
        var indices: [(String, [Int])] = []
        let torch = d.convention == .lfadsTorch
        for name in d.splits.keys.sorted() {
            let split = d.splits[name]!
            let s = name.rawValue
            arrays.append((torch ? "\(s)_encod_data" : "\(s)_data", split.encod, true))
            if torch, let recon = split.recon { arrays.append(("\(s)_recon_data", recon, true)) }
            if let ext = split.extInput { arrays.append(("\(s)_ext_input", ext, false)) }
            if let truth = split.truth {
                let cf = d.conversionFactor ?? 1
                arrays.append(("\(s)_truth", cf == 1 ? truth : truth.map { Float(Double($0) * cf) }, false))
            }
            if let lat = split.latents { arrays.append(("\(s)_latents", lat, false)) }
            if let inds = split.inds { indices.append(("\(s)_inds", inds)) }
        }
        for (key, a, isCounts) in arrays.sorted(by: { $0.0 < $1.0 }) {
            if isCounts && d.countsDType.isInteger {
                guard a.values.allSatisfy({ $0.isFinite && $0 == $0.rounded() }) else {
                    throw DataFileError(path: file.path, key: key, "counts dtype is \(d.countsDType) but values are not all whole numbers; set countsDType = .float32")
                }
                let dtype: HDF5DType = [.int8, .int16, .int32, .int64].contains(d.countsDType) ? d.countsDType : .int32
                try file.write(key, ints: a.values.map { Int($0) }, shape: a.shape, dtype: dtype, gzip: gzip)
            } else if isCounts && d.countsDType == .float64 {
                try file.write(key, doubles: a.values.map { Double($0) }, shape: a.shape, gzip: gzip)
            } else {
                try file.write(key, floats: a.values, shape: a.shape, gzip: gzip)
            }
        }
        for (key, inds) in indices { try file.write(key, ints: inds, shape: [inds.count], dtype: .int64) }
        if let cf = d.conversionFactor { try file.writeScalar("conversion_factor", cf) }
        for key in d.extras.keys.sorted() {
            let extra = d.extras[key]!
            try file.write(key, array: extra, gzip: extra.shape.isEmpty ? nil : gzip)
        }
    }
}
