import Foundation
import Testing
import TestSupport
@testable import LFADSData

/// A fresh temporary directory for one test.
func makeTempDir() throws -> String {
    let dir = NSTemporaryDirectory() + "lfadsdata-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Runs `check_h5.py` with h5py. Records a test failure (never a silent pass) when python3 or
/// h5py is missing, telling the reader to run `scripts/deps --test`.
func runChecker(_ args: [String]) async throws -> String? {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("check_h5.py").path
    guard let python = TestProcess.onPath("python3") else {
        Issue.record("python3 is not on PATH; run scripts/deps --test to install python3, h5py and numpy")
        return nil
    }
    let r = try await TestProcess.run(python, [script] + args, seconds: 300)
    guard r.status == 0 else {
        if r.stderr.contains("No module named") {
            Issue.record("python3 with h5py and numpy is required for this check: run scripts/deps --test (\(r.stderr.split(separator: "\n").last ?? ""))")
        } else {
            Issue.record("check_h5.py \(args) failed: \(r)")
        }
        return nil
    }
    return r.stdout
}

/// Parsed `describe` output.
struct H5Description: Decodable {
    struct Entry: Decodable {
        let shape: [Int]
        let dtype: String
        let sum: Double?
        let first: Double?
        let value: String?
        let compression: String?
    }
    let datasets: [String: Entry]
    let attrs: [String: String]
}

func describeWithH5py(_ path: String) async throws -> H5Description? {
    guard let json = try await runChecker(["describe", path]) else { return nil }
    return try JSONDecoder().decode(H5Description.self, from: Data(json.utf8))
}

/// Writes a raw file with the HDF5 wrapper (for crafting bad inputs).
func craft(_ path: String, _ body: (HDF5File) throws -> Void) throws {
    let f = try HDF5File(path: path, mode: .create)
    defer { f.close() }
    try body(f)
}

func counts3(_ b: Int, _ t: Int, _ n: Int, offset: Int = 0) -> [Float] {
    (0..<(b * t * n)).map { Float(($0 + offset) % 4) }
}
