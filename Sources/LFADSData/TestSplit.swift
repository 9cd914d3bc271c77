/// A test split that training and model selection never read: the honest held-out score of a benchmark.
extension LFADSDataset {
    /// Moves `count` train trials, chosen by a permutation seeded with `seed`, into a new test split
    /// that keeps its reconstruction targets, truth and latents (for scoring only: training reads
    /// train, validation and PBT read valid). Per-trial extras of the train split (`train_*` or
    /// `*_train` keys whose first dimension is the train trial count) move with their trials.
    /// - Throws: when the data already has a test split or train would keep fewer than 2 trials.
    public func carvingTestSplit(trials count: Int, seed: UInt64) throws -> LFADSDataset {
        guard test == nil else { throw DataFileError(path: "", key: "test_encod_data", "the data already has a test split") }
        guard let train, count > 0, count <= train.trialCount - 2 else {
            throw DataFileError(path: "", key: "train", "cannot move \(count) of \(train?.trialCount ?? 0) train trials to a test split; use 1…\(max((train?.trialCount ?? 0) - 2, 1))")
        }
        var rng = SeededRandom(seed: seed)
        let perm = rng.permutation(train.trialCount)
        let testRows = Array(perm[..<count]).sorted(), keptRows = Array(perm[count...]).sorted()
        func pick(_ s: LFADSSplit, _ rows: [Int]) -> LFADSSplit {
            LFADSSplit(encod: s.encod.selecting(trials: rows), recon: s.recon?.selecting(trials: rows),
                       extInput: s.extInput?.selecting(trials: rows), truth: s.truth?.selecting(trials: rows),
                       latents: s.latents?.selecting(trials: rows), inds: s.inds.map { i in rows.map { i[$0] } })
        }
        var d = self
        d.splits[.train] = pick(train, keptRows)
        d.splits[.test] = pick(train, testRows)
        for (key, a) in extras where a.shape.first == train.trialCount {
            let testKey: String
            if key.hasPrefix("train_") { testKey = "test_" + key.dropFirst(6) }
            else if key.hasSuffix("_train") { testKey = key.dropLast(6) + "_test" }
            else { continue }
            d.extras[key] = a.selecting(rows: keptRows)
            d.extras[testKey] = a.selecting(rows: testRows)
        }
        return d
    }
}

extension HDF5Array {
    /// The rows (first index) at `rows`, in that order.
    func selecting(rows: [Int]) -> HDF5Array {
        let stride = shape.dropFirst().reduce(1, *)
        var out: [Double] = []
        out.reserveCapacity(rows.count * stride)
        for r in rows { out.append(contentsOf: values[(r * stride)..<((r + 1) * stride)]) }
        return HDF5Array(shape: [rows.count] + shape.dropFirst(), dtype: dtype, values: out)
    }
}
