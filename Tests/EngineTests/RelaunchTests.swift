import Testing
import Foundation
import Engine
import TestSupport

/// Runs the real `autolfads` binary (built next to the test bundle by `swift build --build-tests`)
/// and checks that `relaunchIfNeeded` re-execs it with the requested OpenBLAS kernel.
@Suite struct RelaunchTests {
    func runBench(policy: String, env: [String: String]) async throws -> String {
        let r = try await TestProcess.run(try AutolfadsBinary.path(),
                                          ["bench", "engine", "--blas-kernel", policy, "--batch", "4", "--hidden", "4",
                                           "--input", "3", "--steps", "2", "--seconds", "0.001"],
                                          seconds: 120, set: env, unset: [BLASKernel.relaunchMarker])
        #expect(r.status == 0, "\(r)")
        return r.output
    }

    func kernelLine(_ out: String) -> String {
        out.split(separator: "\n").first { $0.hasPrefix("BLAS kernel:") }.map(String.init) ?? "(no kernel line)"
    }

    @Test func explicitKernelIsAppliedByRelaunch() async throws {
        let out = try await runBench(policy: "Sandybridge", env: ["OPENBLAS_CORETYPE": "Haswell"])
        #expect(kernelLine(out).hasPrefix("BLAS kernel: Sandybridge"), "\(out)")
    }

    @Test func keepInheritsAndAutoPicksAVX512Kernel() async throws {
        let kept = try await runBench(policy: "keep", env: ["OPENBLAS_CORETYPE": "Haswell"])
        #expect(kernelLine(kept).hasPrefix("BLAS kernel: Haswell"), "\(kept)")
        let auto = try await runBench(policy: "auto", env: ["OPENBLAS_CORETYPE": "Haswell"])
        let expected = BLASKernel.cpuHasAVX512 ? "SkylakeX" : "Haswell"
        #expect(kernelLine(auto).hasPrefix("BLAS kernel: \(expected)"), "\(auto)")
    }

    @Test func badPolicyIsAOneLineError() async throws {
        let r = try await TestProcess.run(try AutolfadsBinary.path(), ["bench", "engine", "--batch", "12,x"])
        #expect(r.status != 0)
        #expect(r.output.contains("--batch '12,x' must be comma-separated positive integers"), "\(r)")
    }
}
