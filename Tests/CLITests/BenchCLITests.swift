import Foundation
import Testing
import TestSupport

/// The cheap benchmarks at tiny sizes, and argument validation of every benchmark.
@Suite struct BenchCLITests {
    @Test func tinyBenchmarks() async throws {
        let e = try await CLI.run(["bench", "engine", "--batch", "4", "--hidden", "4", "--input", "3", "--steps", "2", "--seconds", "0.001"])
        #expect(e.status == 0 && e.stdout.contains("BLAS kernel:"), "bench engine: \(e)")
        let p = try await CLI.run(["bench", "pbt-sim", "--workers", "4", "--slots", "2", "--generations", "2", "--latency-workers", "4"])
        p.expectSuccess(firstLine: "PBT utilisation simulation: 4 workers, 2 slots, 2 generations", "bench pbt-sim")
        let s = try await CLI.run(["bench", "store", "--clients", "2", "--seconds", "0.3"])
        s.expectSuccess(firstLine: "store ", "bench store")
        let d = try await CLI.run(["bench", "dashboard", "--workers", "2", "--generations", "2", "--epochs", "2", "--requests", "3"])
        #expect(d.status == 0 && !d.stdout.isEmpty, "bench dashboard: \(d)")
    }

    /// `autolfads bench` runs the separate `autolfads-bench` program: only that one replaces malloc with the
    /// allocation counter, and a copy of `autolfads` without it beside says what to build.
    @Test func benchIsItsOwnProgram() async throws {
        let autolfads = try AutolfadsBinary.path()
        let bench = (autolfads as NSString).deletingLastPathComponent + "/autolfads-bench"
        let nm = try #require(TestProcess.onPath("nm"), "nm (binutils) is needed to read the symbol tables")
        func definesMalloc(_ program: String) async throws -> Bool {
            let out = try await TestProcess.run(nm, ["--defined-only", program], seconds: 120)
            #expect(out.status == 0, "nm \(program): \(out.stderr)")
            return out.stdoutLines.contains { $0.hasSuffix(" T malloc") }
        }
        #expect(try await definesMalloc(bench), "autolfads-bench should count allocations with its own malloc")
        #expect(try await !definesMalloc(autolfads), "the shipped autolfads must use the C library's malloc")
        let help = try await CLI.run(["bench", "--help"])
        #expect(help.status == 0 && help.stdout.contains("run-to-quality") && help.stdout.contains("autolfads bench"), "bench --help: \(help)")
        let lonely = try CLI.tempDir("bench-alone")
        try FileManager.default.copyItem(atPath: autolfads, toPath: lonely + "/autolfads")
        try await TestProcess.run(lonely + "/autolfads", ["bench", "engine"])
            .expectError(["autolfads-bench", "swift build -c release --product autolfads-bench"], "bench without autolfads-bench")
    }

    @Test func benchArgumentErrors() async throws {
        try await CLI.run(["bench", "engine", "--batch", "12,x"]).expectError(["--batch '12,x'"], status: 64, "bench engine --batch 12,x")
        try await CLI.run(["bench", "pbt-sim", "--latency-workers", "1", "--workers", "2", "--generations", "1"])
            .expectError(["--latency-workers"], status: 64, "bench pbt-sim --latency-workers 1")
        try await CLI.run(["bench", "store", "--backend", "mysql"]).expectError(["--backend", "mysql"], status: 64, "bench store --backend mysql")
        try await CLI.run(["bench", "autolfads-vs-single", "--contenders", "magic"])
            .expectError(["--contenders", "magic"], status: 64, "bench autolfads-vs-single --contenders magic")
        try await CLI.run(["bench", "train", "--blas-kernel", ""]).expectError(["BLAS kernel policy is empty"], "bench train --blas-kernel ''")
        try await CLI.run(["bench", "obs", "--epochs", "x"]).expectError(["--epochs"], status: 64, "bench obs --epochs x")
        try await CLI.run(["bench", "stitch", "--trials", "x"]).expectError(["--trials"], status: 64, "bench stitch --trials x")
        try await CLI.run(["bench", "runtime", "--workers", "x"]).expectError(["--workers"], status: 64, "bench runtime --workers x")
    }
}
