import Testing
import Foundation
import Engine

/// Runs the real `autolfads` binary (built next to the test bundle by `swift build --build-tests`)
/// and checks that `relaunchIfNeeded` re-execs it with the requested OpenBLAS kernel.
@Suite struct RelaunchTests {
    func runBench(policy: String, env: [String: String]) throws -> String {
        let dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let exe = dir.appendingPathComponent("autolfads")
        guard FileManager.default.isExecutableFile(atPath: exe.path) else {
            Issue.record("autolfads not built at \(exe.path): run `swift build --build-tests` first")
            return ""
        }
        let p = Process()
        p.executableURL = exe
        p.arguments = ["bench", "engine", "--blas-kernel", policy, "--batch", "4", "--hidden", "4",
                       "--input", "3", "--steps", "2", "--seconds", "0.001"]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: BLASKernel.relaunchMarker)
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(out)")
        return out
    }

    func kernelLine(_ out: String) -> String {
        out.split(separator: "\n").first { $0.hasPrefix("BLAS kernel:") }.map(String.init) ?? "(no kernel line)"
    }

    @Test func explicitKernelIsAppliedByRelaunch() throws {
        let out = try runBench(policy: "Sandybridge", env: ["OPENBLAS_CORETYPE": "Haswell"])
        #expect(kernelLine(out).hasPrefix("BLAS kernel: Sandybridge"), "\(out)")
    }

    @Test func keepInheritsAndAutoPicksAVX512Kernel() throws {
        let kept = try runBench(policy: "keep", env: ["OPENBLAS_CORETYPE": "Haswell"])
        #expect(kernelLine(kept).hasPrefix("BLAS kernel: Haswell"), "\(kept)")
        let auto = try runBench(policy: "auto", env: ["OPENBLAS_CORETYPE": "Haswell"])
        let expected = BLASKernel.cpuHasAVX512 ? "SkylakeX" : "Haswell"
        #expect(kernelLine(auto).hasPrefix("BLAS kernel: \(expected)"), "\(auto)")
    }

    @Test func badPolicyIsAOneLineError() throws {
        let dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let p = Process()
        p.executableURL = dir.appendingPathComponent("autolfads")
        p.arguments = ["bench", "engine", "--batch", "12,x"]
        let pipe = Pipe()
        p.standardError = pipe; p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus != 0)
        #expect(out.contains("--batch '12,x' must be comma-separated positive integers"), "\(out)")
    }
}
