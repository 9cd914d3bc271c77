import Foundation
import Testing
@testable import LFADSData

/// Crafts a file with `arrays` (key → (shape, values or nil = counts pattern)) and reads it.
private func readCrafted(_ arrays: [(String, [Int], [Float]?)], options: LFADSReadOptions = .init()) throws -> (String, Result<LFADSDataset, DataFileError>) {
    let path = try makeTempDir() + "/bad.h5"
    try craft(path) { f in
        for (key, shape, values) in arrays {
            let n = shape.reduce(1, *)
            try f.write(key, floats: values ?? (0..<n).map { Float($0 % 3) }, shape: shape)
        }
    }
    do { return (path, .success(try LFADSReader.read(path, options: options))) }
    catch let e as DataFileError { return (path, .failure(e)) }
}

/// Expects the read to fail with a one-line message naming the file, `key` and `fragment`.
private func expectProblem(_ arrays: [(String, [Int], [Float]?)], key: String, _ fragment: String,
                           options: LFADSReadOptions = .init(), sourceLocation: SourceLocation = #_sourceLocation) throws {
    let (path, result) = try readCrafted(arrays, options: options)
    switch result {
    case .success: Issue.record("expected an error about \(key)", sourceLocation: sourceLocation)
    case .failure(let e):
        #expect(e.message.hasPrefix("\(path): key '\(key)': "), "\(e.message)", sourceLocation: sourceLocation)
        #expect(e.message.contains(fragment), "\(e.message)", sourceLocation: sourceLocation)
        #expect(!e.message.contains("\n"), sourceLocation: sourceLocation)
    }
}

private let goodTrain = ("train_data", [4, 5, 3], nil as [Float]?)
private let goodValid = ("valid_data", [2, 5, 3], nil as [Float]?)

@Test func missingKeysAreReported() throws {
    try expectProblem([goodTrain], key: "valid_data", "missing required dataset")
    try expectProblem([("behavior", [2, 2], nil)], key: "train_data", "neither train_data")
    try expectProblem([("train_encod_data", [4, 5, 3], nil), ("valid_encod_data", [2, 5, 3], nil),
                       ("train_recon_data", [4, 5, 3], nil)], key: "valid_recon_data", "missing required dataset")
}

@Test func mismatchedDimsBetweenSplitsAreReported() throws {
    try expectProblem([goodTrain, ("valid_data", [2, 5, 4], nil)], key: "valid_data", "does not match train_data")
    try expectProblem([goodTrain, ("valid_data", [2, 6, 3], nil)], key: "valid_data", "does not match train_data")
}

@Test func reconSmallerThanEncodIsReported() throws {
    let enc = [("train_encod_data", [4, 5, 3], nil as [Float]?), ("valid_encod_data", [2, 5, 3], nil as [Float]?)]
    try expectProblem(enc + [("train_recon_data", [4, 5, 2], nil), ("valid_recon_data", [2, 5, 2], nil)],
                      key: "train_recon_data", "at least the encod neurons")
    try expectProblem(enc + [("train_recon_data", [4, 4, 3], nil), ("valid_recon_data", [2, 4, 3], nil)],
                      key: "train_recon_data", "at least the encod neurons and time bins")
    try expectProblem(enc + [("train_recon_data", [3, 5, 3], nil), ("valid_recon_data", [2, 5, 3], nil)],
                      key: "train_recon_data", "has 3 trials but train_encod_data has 4")
    try expectProblem(enc + [("train_recon_data", [4, 7, 4], nil), ("valid_recon_data", [2, 6, 4], nil)],
                      key: "valid_recon_data", "does not match train_recon_data")
}

@Test func nanAndInfAreRejectedUnlessMissingDataAllowed() throws {
    var v = [Float](repeating: 1, count: 30); v[7] = .nan
    try expectProblem([goodTrain, ("valid_data", [2, 5, 3], v)], key: "valid_data", "1 NaN values")
    let (_, ok) = try readCrafted([goodTrain, ("valid_data", [2, 5, 3], v)], options: .init(allowMissing: true))
    #expect((try? ok.get()) != nil)
    v[7] = .infinity
    try expectProblem([goodTrain, ("valid_data", [2, 5, 3], v)], key: "valid_data", "infinite", options: .init(allowMissing: true))
}

@Test func negativeAndNonIntegerCountsAreRejectedForPoisson() throws {
    var v = [Float](repeating: 1, count: 60); v[0] = -1
    try expectProblem([("train_data", [4, 5, 3], v), goodValid], key: "train_data", "negative")
    v[0] = 0.5
    try expectProblem([("train_data", [4, 5, 3], v), goodValid], key: "train_data", "non-integer")
    let (_, ok) = try readCrafted([("train_data", [4, 5, 3], v), goodValid], options: .init(requireCounts: false))
    #expect((try? ok.get()) != nil)
}

@Test func emptySplitIsRejected() throws {
    try expectProblem([goodTrain, ("valid_data", [0, 5, 3], nil)], key: "valid_data", "0 trials")
}

@Test func wrongRankIsRejected() throws {
    try expectProblem([("train_data", [4, 15], nil), goodValid], key: "train_data", "expected a 3-D array")
    try expectProblem([goodTrain, goodValid, ("train_inds", [2, 2], nil)], key: "train_inds", "1-D index vector")
}

@Test func auxiliaryArraysMustMatchTheirSplit() throws {
    try expectProblem([goodTrain, goodValid, ("valid_truth", [2, 5, 2], nil)], key: "valid_truth", "does not match")
    try expectProblem([goodTrain, goodValid, ("train_inds", [3], nil)], key: "train_inds", "3 indices but the split has 4")
    try expectProblem([goodTrain, goodValid, ("train_ext_input", [4, 4, 1], nil)], key: "train_ext_input", "at least 5 time bins")
    try expectProblem([goodTrain, goodValid, ("conversion_factor", [], [0])], key: "conversion_factor", "positive")
}

@Test func unreadableFilesAreRejectedByTheReader() throws {
    let dir = try makeTempDir()
    try "garbage".write(toFile: dir + "/lfads_bad.h5", atomically: true, encoding: .utf8)
    let e = #expect(throws: DataFileError.self) { try LFADSReader.read(dir + "/lfads_bad.h5") }
    #expect(e?.message.contains("not an HDF5 file") == true)
    #expect(throws: DataFileError.self) { try LFADSReader.read(dir + "/absent.h5") }
}

@Test func summaryListsEveryProblem() throws {
    let path = try makeTempDir() + "/multi.h5"
    var v = [Float](repeating: 1, count: 30); v[0] = -2; v[1] = .nan
    try craft(path) { f in
        try f.write("train_data", floats: counts3(4, 5, 3), shape: [4, 5, 3])
        try f.write("valid_data", floats: v, shape: [2, 5, 3])
    }
    let s = try DatasetSummary(path: path)
    #expect(!s.isValid)
    #expect(s.problems.count == 2)
    #expect(s.lines.contains { $0.contains("NaN") } && s.lines.contains { $0.contains("negative") })
}
