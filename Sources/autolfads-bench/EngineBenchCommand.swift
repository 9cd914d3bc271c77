import ArgumentParser
import Benchmarks
import Engine
import Foundation

/// `autolfads bench engine`: SGEMM and fused-GRU throughput on LFADS shapes, allocations per step.
struct EngineBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "SGEMM vs fused GRU forward+backward GFLOP/s on LFADS shapes, and allocations per time step."
    )

    @Option(help: "BLAS threads (the headline is 1).") var threads: Int = 1
    @Option(help: "Comma-separated batch sizes.") var batch: String = "128,256"
    @Option(help: "Comma-separated hidden sizes.") var hidden: String = "64,100,200"
    @Option(help: "GRU input size (LFADS: number of neurons or encoder width).") var input: Int = 100
    @Option(help: "Time steps per unroll.") var steps: Int = 50
    @Option(help: "Minimum seconds per measurement.") var seconds: Double = 0.5
    @Option(name: .customLong("blas-kernel"),
            help: "OpenBLAS kernel: auto (SkylakeX on AVX-512), keep (inherit), or a core name.")
    var blasKernel: String = "auto"

    func parseList(_ s: String, _ name: String) throws -> [Int] {
        let values = s.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--\(name) '\(s)' must be comma-separated positive integers, e.g. 128,256")
        }
        return values.map { $0! }
    }

    func run() throws {
        let policy = try BLASKernel.Policy(parsing: blasKernel)
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard input >= 1, steps >= 1, seconds > 0 else { throw ValidationError("--input, --steps and --seconds must be positive") }
        let batches = try parseList(batch, "batch"), hiddens = try parseList(hidden, "hidden")
        BLASKernel.relaunchIfNeeded(policy)
        BLASThreads.set(threads)
        let env = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)"
        print("BLAS kernel: \(BLASKernel.coreName)  (OPENBLAS_CORETYPE=\(env), AVX-512: \(BLASKernel.cpuHasAVX512))")
        print("threads: \(BLASThreads.current)   input: \(input)   T: \(steps)")
        print("")
        let header = ["batch", "hidden", "GEMM GF/s", "GRU f+b GF/s", "GRU/GEMM", "proj GF/s", "µs/step", "allocs/step"]
        print(header.map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined())
        var ratios: [Double] = []
        for b in batches {
            for h in hiddens {
                let r = EngineBenchmark.measureGRU(batch: b, input: input, hidden: h, steps: steps, minSeconds: seconds)
                ratios.append(r.ratio)
                let cells = [String(b), String(h), String(format: "%.1f", r.gemmGFlops), String(format: "%.1f", r.gruGFlops),
                             String(format: "%.2f", r.ratio), String(format: "%.1f", r.projectedGFlops),
                             String(format: "%.1f", r.secondsPerStep * 1e6),
                             String(format: "%.2f", r.allocationsPerStep)]
                print(cells.map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined())
            }
        }
        let geo = Foundation.exp(ratios.map { Foundation.log($0) }.reduce(0, +) / Double(ratios.count))
        print("")
        print("GEMM: the two forward GEMMs of a step (B×I·I×3H, B×H·H×3H) back to back. GRU: fused cell forward+backward")
        print("over the unroll, FLOPs = 18·B·H·(I+H) + 40·B·H per step. proj: inputs projected by one GEMM before the loop.")
        print(String(format: "geometric-mean GRU/GEMM ratio: %.2f (target ≥ 0.5)", geo))
    }
}
