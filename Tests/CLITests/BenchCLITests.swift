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
