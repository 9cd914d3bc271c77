import Foundation
import Testing
@testable import LFADSData

@Test func filesWrittenHereAreReadByH5py() async throws {
    let path = try makeTempDir() + "/ours.h5"
    try craft(path) { f in
        try f.write("train_data", floats: counts3(3, 4, 5), shape: [3, 4, 5], gzip: 6)
        try f.write("g/f64", doubles: [1.25, 2.5], shape: [2])
        try f.write("i8", ints: [-3, 4], shape: [2, 1], dtype: .int8)
        try f.write("i16", ints: [1000], shape: [1], dtype: .int16)
        try f.write("i32", ints: [1, 2, 3], shape: [3], dtype: .int32)
        try f.write("i64", ints: [1 << 40], shape: [], dtype: .int64)
        try f.writeString("label", "hello")
        try f.writeStringAttribute("source", "swift")
    }
    guard let d = try await describeWithH5py(path) else { return }
    let expectedSum = Double(counts3(3, 4, 5).reduce(0, +))
    #expect(d.datasets["train_data"]?.shape == [3, 4, 5])
    #expect(d.datasets["train_data"]?.dtype == "float32")
    #expect(d.datasets["train_data"]?.sum == expectedSum)
    #expect(d.datasets["train_data"]?.compression == "gzip")
    #expect(d.datasets["g/f64"]?.dtype == "float64" && d.datasets["g/f64"]?.sum == 3.75)
    #expect(d.datasets["i8"]?.dtype == "int8" && d.datasets["i8"]?.shape == [2, 1] && d.datasets["i8"]?.sum == 1)
    #expect(d.datasets["i16"]?.dtype == "int16" && d.datasets["i16"]?.sum == 1000)
    #expect(d.datasets["i32"]?.dtype == "int32" && d.datasets["i32"]?.sum == 6)
    #expect(d.datasets["i64"]?.dtype == "int64" && d.datasets["i64"]?.shape == [] && d.datasets["i64"]?.sum == Double(1 << 40))
    #expect(d.datasets["label"]?.value == "hello")
    #expect(d.attrs["source"] == "swift")
}

@Test func originalConventionFileFromH5pyIsRead() async throws {
    let path = try makeTempDir() + "/lfads_orig_from_h5py.h5"
    guard try await runChecker(["write-original", path]) != nil else { return }
    let d = try LFADSReader.read(path)
    #expect(d.convention == .original)
    #expect(d.countsDType == .int16)
    #expect(d.trialCount(.train) == 6 && d.trialCount(.valid) == 2)
    #expect(d.encodTime == 5 && d.reconTime == 5 && d.encodNeurons == 3 && d.reconNeurons == 3)
    #expect(d.extInputDim == 2 && d.latentDim == 2)
    #expect(d.train?.encod.values == counts3(6, 5, 3))
    #expect(d.valid?.encod.values == counts3(2, 5, 3, offset: 1))
    #expect(d.train?.recon == d.train?.encod)
    #expect(d.conversionFactor == 8)
    #expect(d.train?.truth?.values.allSatisfy { $0 == 0.25 } == true)   // 2 / 8 counts per bin
    #expect(d.valid?.truth?.values.allSatisfy { $0 == 0.5 } == true)
    #expect(d.train?.inds == [1, 2, 3, 4, 5, 6] && d.valid?.inds == [7, 8])
    #expect(d.valid?.extInput?.values.first == 1)
    #expect(d.extras["dt"]?.values == [0.01])
}

@Test func lfadsTorchFileFromH5pyIsReadAndRoundTrips() async throws {
    let dir = try makeTempDir()
    let path = dir + "/any_name.h5"
    guard try await runChecker(["write-torch", path]) != nil else { return }
    let d = try LFADSReader.read(path)
    #expect(d.convention == .lfadsTorch)
    #expect(d.trialCount(.train) == 4 && d.trialCount(.valid) == 2 && d.trialCount(.test) == 1)
    #expect(d.encodTime == 6 && d.reconTime == 8 && d.encodNeurons == 3 && d.reconNeurons == 5)
    #expect(d.test?.recon == nil)
    #expect(d.valid?.recon?.values == counts3(2, 8, 5, offset: 1))
    #expect(Set(d.extras.keys) == ["train_behavior", "valid_behavior", "psth", "train_cond_idx"])
    #expect(d.extras["train_cond_idx"]?.dtype == .int64)

    // Written back by us, read again by h5py and by us: every key kept.
    let copy = dir + "/copy.h5"
    try LFADSWriter.write(d, to: copy)
    #expect(try LFADSReader.read(copy) == d)
    guard let desc = try await describeWithH5py(copy) else { return }
    #expect(Set(desc.datasets.keys) == ["train_encod_data", "valid_encod_data", "test_encod_data", "train_recon_data",
                                        "valid_recon_data", "train_behavior", "valid_behavior", "psth", "train_cond_idx"])
    #expect(desc.datasets["train_behavior"]?.sum == Double((0..<64).reduce(0, +)))
}

@Test func inputFileIsNeverModified() async throws {
    let path = try makeTempDir() + "/lfads_x.h5"
    guard try await runChecker(["write-original", path]) != nil else { return }
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    _ = try LFADSReader.read(path)
    _ = try DatasetSummary(path: path)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
}
