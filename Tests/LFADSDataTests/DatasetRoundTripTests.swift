import Foundation
import Testing
@testable import LFADSData

private func sampleDataset(_ convention: LFADSConvention, dtype: HDF5DType) -> LFADSDataset {
    func a(_ b: Int, _ t: Int, _ n: Int, _ off: Int = 0) -> Array3D {
        Array3D(trials: b, time: t, channels: n, values: counts3(b, t, n, offset: off))
    }
    let torch = convention == .lfadsTorch
    var splits: [LFADSSplitName: LFADSSplit] = [:]
    for (name, b) in [(LFADSSplitName.train, 5), (.valid, 2)] {
        let enc = a(b, 6, 3, b)
        let recon = torch ? a(b, 8, 4, b) : enc
        splits[name] = LFADSSplit(encod: enc, recon: recon,
                                  extInput: a(b, torch ? 8 : 6, 2).map { $0 / 4 },
                                  truth: recon.map { $0 / 2 + 0.5 },
                                  latents: a(b, torch ? 8 : 6, 3).map { $0 - 1.5 },
                                  inds: Array(0..<b).map { $0 * 2 })
    }
    if torch { splits[.test] = LFADSSplit(encod: a(1, 6, 3), recon: nil) }
    return LFADSDataset(convention: convention, splits: splits, countsDType: dtype, conversionFactor: 4,
                        extras: ["behavior": HDF5Array(shape: [2, 2], dtype: .float64, values: [1, 2, 3, 4]),
                                 "labels": HDF5Array(shape: [3], dtype: .int8, values: [0, 1, -1])])
}

@Test(arguments: [(LFADSConvention.original, HDF5DType.int8), (.original, .float32),
                  (.lfadsTorch, .float32), (.lfadsTorch, .int32), (.original, .float64)])
func datasetRoundTripsEveryKey(convention: LFADSConvention, dtype: HDF5DType) throws {
    let path = try makeTempDir() + "/rt.h5"
    let d = sampleDataset(convention, dtype: dtype)
    try LFADSWriter.write(d, to: path)
    let back = try LFADSReader.read(path)
    #expect(back == d)
    #expect(back.encodTime == 6 && back.encodNeurons == 3 && back.extInputDim == 2 && back.latentDim == 3)
    #expect(back.reconTime == (convention == .lfadsTorch ? 8 : 6))
    let file = try HDF5File(path: path)
    let key = convention == .original ? "train_data" : "train_encod_data"
    #expect(try file.info(key).dtype == dtype)
    // truth is stored in the file × conversion_factor.
    #expect(try file.readFloats("valid_truth").values == d.valid!.truth!.values.map { $0 * 4 })
}

@Test func lowdIsReadAsLatentsAndMissingCFMeansCountsPerBin() throws {
    let path = try makeTempDir() + "/lowd.h5"
    try craft(path) { f in
        try f.write("train_data", floats: counts3(2, 3, 2), shape: [2, 3, 2])
        try f.write("valid_data", floats: counts3(1, 3, 2), shape: [1, 3, 2])
        try f.write("train_lowd", floats: [Float](repeating: 1, count: 18), shape: [2, 3, 3])
        try f.write("valid_truth", floats: [Float](repeating: 0.5, count: 6), shape: [1, 3, 2])
    }
    let d = try LFADSReader.read(path)
    #expect(d.latentDim == 3 && d.train?.latents?.values.count == 18)
    #expect(d.valid?.truth?.values == [Float](repeating: 0.5, count: 6))
    #expect(d.conversionFactor == nil)
}
