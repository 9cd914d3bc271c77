import Foundation
import Testing
@testable import LFADSData

@Test func roundTripsEveryDtypeScalarsStringsAndGroups() throws {
    let dir = try makeTempDir()
    let path = dir + "/all.h5"
    let floats: [Float] = [1.5, -2.25, 3, 4, 5, 6]
    let doubles: [Double] = [0.1, 1e-300, -7]
    do {
        let f = try HDF5File(path: path, mode: .create)
        try f.write("f32", floats: floats, shape: [2, 3], gzip: 4)
        try f.write("f64", doubles: doubles, shape: [3])
        for (dtype, values) in [(HDF5DType.int8, [-128, 0, 127]), (.int16, [-32768, 5, 32767]),
                                (.int32, [Int(Int32.min), 1, Int(Int32.max)]), (.int64, [Int.min + 1, 2, 1 << 60])] {
            try f.write("ints/\(dtype.rawValue)", ints: values, shape: [3], dtype: dtype)
        }
        try f.write("nested/deep/empty", floats: [], shape: [0, 3], gzip: 4)
        try f.writeScalar("scalar_f", 2.5)
        try f.writeScalar("scalar_i", 42)
        try f.writeString("name", "lorenz ✓")
        try f.writeStringAttribute("creator", "autolfads")
        try f.write("f64", doubles: [9], shape: [])             // replace: other shape and rank
        #expect(f.openObjectCount == 1)
        f.close()
    }
    let f = try HDF5File(path: path)
    #expect(try f.datasetNames() == ["f32", "f64", "ints/int16", "ints/int32", "ints/int64", "ints/int8",
                                     "name", "nested/deep/empty", "scalar_f", "scalar_i"])
    #expect(try f.readFloats("f32").values == floats)
    #expect(try f.readFloats("f32").shape == [2, 3])
    #expect(try f.info("f32").dtype == .float32)
    #expect(try f.readScalar("f64") == 9)
    #expect(try f.info("f64").shape == [])
    #expect(try f.readInts("ints/int8").values == [-128, 0, 127])
    #expect(try f.info("ints/int8").dtype == .int8)
    #expect(try f.readInts("ints/int16").values == [-32768, 5, 32767])
    #expect(try f.readInts("ints/int32").values == [Int(Int32.min), 1, Int(Int32.max)])
    #expect(try f.readInts("ints/int64").values == [Int.min + 1, 2, 1 << 60])
    #expect(try f.info("ints/int64").dtype == .int64)
    #expect(try f.readDoubles("ints/int16").values == [-32768, 5, 32767])
    #expect(try f.readArray("nested/deep/empty") == HDF5Array(shape: [0, 3], dtype: .float32, values: []))
    #expect(try f.readScalar("scalar_f") == 2.5)
    #expect(try f.readInts("scalar_i").values == [42])
    #expect(try f.readString("name") == "lorenz ✓")
    #expect(try f.readStringAttribute("creator") == "autolfads")
    #expect(try f.attributeNames() == ["creator"])
    #expect(f.contains("ints/int8") && !f.contains("ints") && !f.contains("nope"))
    #expect(f.openObjectCount == 1)
}

@Test func readIntsAcceptsIntegralFloatsOnly() throws {
    let path = try makeTempDir() + "/x.h5"
    try craft(path) { f in
        try f.write("ok", floats: [1, 2, 3], shape: [3])
        try f.write("bad", floats: [1, 2.5], shape: [2])
    }
    let f = try HDF5File(path: path)
    #expect(try f.readInts("ok").values == [1, 2, 3])
    let e = #expect(throws: DataFileError.self) { try f.readInts("bad") }
    #expect(e?.message.contains("'bad'") == true)
}

@Test func errorsNameFileAndKey() throws {
    let dir = try makeTempDir()
    let path = dir + "/e.h5"
    try craft(path) { try $0.write("a", floats: [1], shape: [1]) }
    let f = try HDF5File(path: path)
    let missing = #expect(throws: DataFileError.self) { try f.readFloats("nope/x") }
    #expect(missing?.message == "\(path): key 'nope/x': dataset not found")
    #expect(throws: DataFileError.self) { try f.readString("a") }   // numeric, not a string
    #expect(throws: DataFileError.self) { try f.readStringAttribute("none") }
    #expect(f.openObjectCount == 1)                                  // error paths close their handles
    let readOnly = #expect(throws: DataFileError.self) { try f.write("b", floats: [1], shape: [1]) }
    #expect(readOnly?.message.contains("read-only") == true)
    f.close()
    #expect(throws: DataFileError.self) { try f.readFloats("a") }
    let shape = #expect(throws: DataFileError.self) {
        let w = try HDF5File(path: path, mode: .readWrite)
        try w.write("c", floats: [1, 2], shape: [3])
    }
    #expect(shape?.message.contains("'c'") == true)
    let range = #expect(throws: DataFileError.self) {
        let w = try HDF5File(path: path, mode: .readWrite)
        try w.write("c", ints: [300], shape: [1], dtype: .int8)
    }
    #expect(range?.message.contains("int8") == true)
}

@Test func rejectsMissingNonHDF5AndTruncatedFiles() throws {
    let dir = try makeTempDir()
    let missing = #expect(throws: DataFileError.self) { try HDF5File(path: dir + "/none.h5") }
    #expect(missing?.message.contains("file not found") == true)

    let text = dir + "/text.h5"
    try "not hdf5 at all".write(toFile: text, atomically: true, encoding: .utf8)
    let notH5 = #expect(throws: DataFileError.self) { try HDF5File(path: text) }
    #expect(notH5?.message.contains("not an HDF5 file") == true)

    let good = dir + "/good.h5"
    try craft(good) { try $0.write("train_data", floats: counts3(50, 20, 10), shape: [50, 20, 10]) }
    let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
    let cut = dir + "/cut.h5"
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
    let truncated = #expect(throws: DataFileError.self) {
        let f = try HDF5File(path: cut)
        _ = try f.readFloats("train_data")
    }
    #expect(truncated?.message.hasPrefix(cut) == true)
}

@Test func concurrentReadersAreSerialisedSafely() async throws {
    let path = try makeTempDir() + "/c.h5"
    let values = counts3(20, 10, 5)
    try craft(path) { try $0.write("train_data", floats: values, shape: [20, 10, 5]) }
    try await withThrowingTaskGroup(of: Bool.self) { group in
        for _ in 0..<8 {
            group.addTask {
                let f = try HDF5File(path: path)
                return try f.readFloats("train_data").values == values
            }
        }
        for try await ok in group { #expect(ok) }
    }
}

@Test func readWriteModeAddsAndReplacesKeysInAnExistingFile() throws {
    let path = try makeTempDir() + "/rw.h5"
    try craft(path) { try $0.write("keep", ints: [1, 2], shape: [2], dtype: .int32) }
    let a = Array3D(trials: 2, time: 3, channels: 2, values: (0..<12).map(Float.init))
    do {
        let f = try HDF5File(path: path, mode: .readWrite)
        try f.write("out/rates", array3D: a, gzip: 1)
        try f.write("keep", ints: [7], shape: [1], dtype: .int16)
        try f.remove("nothing_here")
    }
    let f = try HDF5File(path: path)
    #expect(try f.readArray3D("out/rates") == a)
    #expect(try f.readArray("keep") == HDF5Array(shape: [1], dtype: .int16, values: [7]))
    #expect(throws: DataFileError.self) { try f.readArray3D("keep") }
}
