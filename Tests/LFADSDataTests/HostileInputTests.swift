import Foundation
import TestSupport
import Testing
@testable import LFADSData

/// Hostile HDF5 inputs (issue 12): files crafted with h5py (`hostile_h5.py`) whose declared shapes,
/// dtypes, links or values are absurd. The built `autolfads` runs on each under a wall-time and an
/// address-space limit and must end with exit 1 or 2 and one stderr line naming the file and key,
/// never a signal, never a modified input, never a partial output. Then a seeded fuzz pass reads
/// mutated copies of a valid file in-process: errors only, never a crash.
@Suite struct HostileInputTests {
    struct Case: Decodable { let name: String; let file: String; let key: String }

    @Test func craftedFilesFailWithOneLineErrorThroughTheCLI() async throws {
        guard let crafted = try await HostileFiles.shared() else { return }
        let binary = try autolfadsExecutable()
        let inputs = try FileManager.default.contentsOfDirectory(atPath: crafted.dir).map { crafted.dir + "/" + $0 }
        let before = try inputs.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        for c in crafted.cases {
            let out = crafted.dir + "/out-" + c.name
            let train = try await LimitedRun(binary, ["train", "--data", c.file, "--out", out, "--epochs", "1", "--no-outputs"])
            train.expectOneLineError(naming: [c.file, c.key], case: c.name)
            #expect(!FileManager.default.fileExists(atPath: out), "\(c.name): train left \(out) behind")

            let inspect = try await LimitedRun(binary, ["data", "inspect", c.file])
            #expect(inspect.status == 1 && !inspect.signalled && !inspect.timedOut, "\(c.name): data inspect \(inspect)")
            #expect(inspect.stderrLines.count <= 1, "\(c.name): data inspect stderr \(inspect.stderr)")
            #expect((inspect.stderr + inspect.stdout).contains(c.key), "\(c.name): data inspect does not name \(c.key)")
        }
        let after = try inputs.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        for (path, (a, b)) in zip(inputs, zip(before, after)) { #expect(a == b, "\(path) was modified (its sha256 changed)") }
    }

    @Test func linkCyclesAndExternalLinksAreNotFollowed() async throws {
        guard let crafted = try await HostileFiles.shared() else { return }
        let cycle = try LFADSReader.read(crafted.dir + "/cycle_valid.h5")
        #expect(cycle.trialCount(.train) == 20)
        let file = try HDF5File(path: crafted.dir + "/cycle_valid.h5")
        #expect(try file.datasetNames() == ["g/x", "train_data", "valid_data"])
        file.close()

        let external = try LFADSReader.read(crafted.dir + "/external_unused.h5")
        #expect(external.extras["elsewhere"] == nil)
        let ext = try HDF5File(path: crafted.dir + "/external_unused.h5")
        defer { ext.close() }
        let inventory = try ext.linkInventory()
        #expect(inventory.externalLinks == ["elsewhere"])
        #expect(!ext.contains("elsewhere"))
        let e = #expect(throws: DataFileError.self) { _ = try ext.readFloats("elsewhere") }
        #expect(e?.message.contains("external link") == true, "\(e?.message ?? "")")
    }

    @Test func declaredSizesAreCheckedBeforeAllocating() async throws {
        guard let crafted = try await HostileFiles.shared() else { return }
        for name in ["huge_used", "huge_used_chunked", "overflow_shape", "overflow_zero_dim"] {
            let file = try HDF5File(path: crafted.dir + "/\(name).h5")
            defer { file.close() }
            let e = #expect(throws: DataFileError.self) { _ = try file.readFloats("train_data") }
            #expect(e?.key == "train_data" && e?.message.contains("\n") == false, "\(name): \(e?.message ?? "")")
        }
        #expect(HDF5ReadLimits.elementCount([2, 3, 4]) == 24)
        #expect(HDF5ReadLimits.elementCount([]) == 1)
        #expect(HDF5ReadLimits.elementCount([1 << 40, 1 << 40, 0]) == nil)
        #expect(HDF5ReadLimits.elementCount([0, 5]) == 0)
        #expect(HDF5ReadLimits.elementCount([1 << 21, 1 << 21, 1 << 21]) == nil)
        #expect(HDF5ReadLimits.elementCount([-1]) == nil)
        #expect(HDF5ReadLimits.availableMemoryBytes() > 0)
    }

    /// 300 seeded mutations of a valid file (bit flips, bytes set to 0/0xFF/random, short runs
    /// overwritten, truncation), 80 % of them in the first 2 KiB where HDF5 keeps its metadata, each
    /// read by `LFADSReader` and summarised in-process: a `DataFileError` (one line) or a dataset.
    @Test func fuzzedDataFilesOnlyEverThrow() async throws {
        guard let crafted = try await HostileFiles.shared() else { return }
        let seed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: crafted.dir + "/valid.h5")))
        let dir = try makeTempDir()
        var rng = SplitMix64(seed: 12)
        var read = 0, rejected = 0
        let total = 300
        for i in 0..<total {
            var bytes = seed
            for _ in 0..<(1 + rng.below(6)) {
                let at = rng.below(10) < 8 ? rng.below(min(2048, bytes.count)) : rng.below(bytes.count)
                switch rng.below(10) {
                case 0..<4: bytes[at] ^= UInt8(1) << UInt8(rng.below(8))
                case 4..<8: bytes[at] = [0, 0xFF, 0x7F, 0x80, UInt8(rng.below(256))][rng.below(5)]
                case 8: for k in at..<min(bytes.count, at + 1 + rng.below(8)) { bytes[k] = rng.below(2) == 0 ? 0 : 0xFF }
                default: bytes.removeLast(rng.below(bytes.count / 4))
                }
            }
            let path = dir + "/fuzz\(i).h5"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                _ = try LFADSReader.read(path)
                _ = try DatasetSummary(path: path)
                read += 1
            } catch let e as DataFileError {
                #expect(!e.message.contains("\n"), "fuzz \(i): \(e.message)")
                rejected += 1
            } catch {
                Issue.record("fuzz \(i): unexpected error type \(type(of: error)): \(error)")
            }
        }
        print("fuzzed \(total) mutated data files in-process: \(read) read, \(rejected) rejected with a DataFileError, 0 crashed")
        #expect(read + rejected == total)
    }
}

/// The crafted files, made once per test process by `hostile_h5.py`.
final class HostileFiles: @unchecked Sendable {
    let dir: String
    let cases: [HostileInputTests.Case]
    init(dir: String, cases: [HostileInputTests.Case]) { self.dir = dir; self.cases = cases }

    /// Crafted once per test process (hostile_h5.py), shared by the tests that need the files.
    private static let making = Task<Result<HostileFiles, HostileFilesUnavailable>, Error> {
        let dir = try makeTempDir()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("hostile_h5.py").path
        let run = try await LimitedRun(pythonForTests(), [script, dir], seconds: 120, addressSpaceKiB: nil)
        guard run.status == 0 else { return .failure(HostileFilesUnavailable(stderr: run.stderr)) }
        return .success(HostileFiles(dir: dir, cases: try JSONDecoder().decode([HostileInputTests.Case].self, from: Data(run.stdout.utf8))))
    }

    /// Nil (after recording an issue) when python with h5py is not available.
    static func shared() async throws -> HostileFiles? {
        switch try await making.value {
        case .success(let files): return files
        case .failure(let why):
            Issue.record("hostile_h5.py failed (needs python3 with h5py and numpy: run scripts/deps --test): \(why.stderr)")
            return nil
        }
    }
}

struct HostileFilesUnavailable: Error { let stderr: String }

/// The python with h5py: `AUTOLFADS_NLB_PYTHON`, else the repository's `.venv-nlb`, else `python3`.
func pythonForTests() -> String {
    if let p = ProcessInfo.processInfo.environment["AUTOLFADS_NLB_PYTHON"], !p.isEmpty { return p }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let venv = root.appendingPathComponent(".venv-nlb/bin/python").path
    if FileManager.default.isExecutableFile(atPath: venv) { return venv }
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        let p = "\(dir)/python3"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return "/usr/bin/python3"
}

/// The `autolfads` executable built next to the test bundle (`swift build --build-tests` builds it).
func autolfadsExecutable() throws -> String {
    var candidates: [String] = []
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 { candidates.append(dir.appendingPathComponent("autolfads").path); dir = dir.deletingLastPathComponent() }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(root.appendingPathComponent(".build/debug/autolfads").path)
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw DataFileError(path: candidates.joined(separator: ", "), "the autolfads executable was not found; build it first with `swift build --build-tests`")
    }
    return found
}

