import Foundation
import Testing
import TestSupport

/// Runs the built `autolfads` binary the way a user types it, through the tests' one spawn helper.
enum CLI {
    /// `autolfads args…` to the end (at most `seconds`), in `directory` when given.
    static func run(_ args: [String], seconds: Double = 60, directory: String? = nil,
                    set: [String: String] = [:]) async throws -> ProcessOutput {
        // One BLAS thread: on a loaded machine OpenBLAS's spinning threads slow a tiny model down many times.
        try await TestProcess.run(try AutolfadsBinary.path(), args, seconds: seconds,
                                  set: ["OPENBLAS_NUM_THREADS": "1"].merging(set) { $1 }, directory: directory)
    }

    /// Starts `autolfads args…` in the background (dashboard, server, client).
    static func start(_ args: [String], directory: String? = nil) throws -> TestProcess {
        try TestProcess(try AutolfadsBinary.path(), args, directory: directory)
    }

    /// A fresh temporary directory (removed by the operating system's tmp cleaning, or kept for debugging).
    static func tempDir(_ label: String) throws -> String {
        let p = NSTemporaryDirectory() + "autolfads-cli-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    /// The bundled Lorenz data (`data/lorenz_small.h5`).
    static var lorenzSmall: String { AutolfadsBinary.repositoryRoot.appendingPathComponent("data/lorenz_small.h5").path }

    /// A tiny LFADS model for CI-sized training (seconds in a debug build).
    static let tinyModel = ["gen_dim=8", "fac_dim=3", "ic_enc_dim=8", "ci_enc_dim=4", "con_dim=4", "co_dim=1", "ic_dim=4", "batch_size=64"]
}

extension ProcessOutput {
    /// Exit 0, and the first stdout line contains `firstLine`.
    func expectSuccess(firstLine: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == 0 && !timedOut, "\(what): \(self)", sourceLocation: sourceLocation)
        let first = stdoutLines.first.map(String.init) ?? ""
        #expect(first.contains(firstLine), "\(what): first stdout line is '\(first)', expected it to contain '\(firstLine)'", sourceLocation: sourceLocation)
    }

    /// Exit `status` (not a signal, not a timeout), and the first stderr line is an error containing every fragment.
    func expectError(_ fragments: [String], status expected: Int32 = 1, _ what: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == expected && signal == nil && !timedOut, "\(what): expected exit \(expected): \(self)", sourceLocation: sourceLocation)
        let first = stderrLines.first.map(String.init) ?? ""
        #expect(first.lowercased().hasPrefix("error: "), "\(what): first stderr line is not an error: '\(first)'", sourceLocation: sourceLocation)
        for f in fragments {
            #expect(first.contains(f), "\(what): first stderr line '\(first)' does not contain '\(f)'", sourceLocation: sourceLocation)
        }
    }
}
