import Engine
import CBLAS
/// Measurements behind `autolfads bench engine`: SGEMM and fused-GRU throughput on LFADS shapes,
/// and heap allocations per time step of a training unroll.
public enum EngineBenchmark {
    /// Seconds of a monotonic clock.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Runs `body` repeatedly for at least `minSeconds` (after one warm-up call); returns seconds per call.
    public static func timePerCall(minSeconds: Double, _ body: () -> Void) -> Double {
        body()
        var calls = 0
        let start = now()
        var elapsed = 0.0
        repeat {
            body(); calls += 1
            elapsed = now() - start
        } while elapsed < minSeconds
        return elapsed / Double(calls)
    }

    /// GFLOP/s of the two forward GEMMs of a GRU step, x(B×I)·W_ihᵀ(I×3H) and h(B×H)·W_hhᵀ(H×3H),
    /// measured back to back (the "pure BLAS" baseline for the same shapes).
    public static func gruGemmGFlops(batch b: Int, input i: Int, hidden h: Int, minSeconds: Double) -> Double {
        var rng = Rng(seed: 1)
        func buf(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            rng.fillUniform(p, count: n, low: -1, high: 1)
            return p
        }
        let x = buf(b * i), hh = buf(b * h), wi = buf(3 * h * i), wh = buf(3 * h * h), c = buf(b * 3 * h)
        defer { for p in [x, hh, wi, wh, c] { p.deallocate() } }
        let t = timePerCall(minSeconds: minSeconds) {
            sgemm(false, true, m: b, n: 3 * h, k: i, a: x, lda: i, b: wi, ldb: i, beta: 0, c: c, ldc: 3 * h)
            sgemm(false, true, m: b, n: 3 * h, k: h, a: hh, lda: h, b: wh, ldb: h, beta: 0, c: c, ldc: 3 * h)
        }
        return 2.0 * Double(b * 3 * h * (i + h)) / t / 1e9
    }

    /// GFLOP/s of one n×n×n single-precision GEMM on the calling thread (the large-matrix ceiling of
    /// the BLAS kernel; n = 1024 by default).
    public static func largeGemmGFlops(n: Int = 1024, minSeconds: Double) -> Double {
        var rng = Rng(seed: 2)
        let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n), b = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        rng.fillUniform(a, count: n * n, low: -1, high: 1)
        rng.fillUniform(b, count: n * n, low: -1, high: 1)
        let t = timePerCall(minSeconds: minSeconds) {
            sgemm(false, false, m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, beta: 0, c: c, ldc: n)
        }
        return 2.0 * Double(n * n * n) / t / 1e9
    }

    /// A GRU unrolled over `steps` time steps with a sum loss: forward + backward per call.
    public final class GRUUnroll {
        public let batch, input, hidden, steps: Int
        /// Project all inputs with one GEMM before the unroll (`gruInputProjection`).
        public let projected: Bool
        let store = ParameterStore()
        let tape: Tape
        let weights: GRUWeights
        var data: [Float]

        public init(batch: Int, input: Int, hidden: Int, steps: Int, projected: Bool = false) {
            self.batch = batch; self.input = input; self.hidden = hidden; self.steps = steps
            self.projected = projected
            var rng = Rng(seed: 3)
            weights = GRUWeights(store: store, name: "gru", inputSize: input, hiddenSize: hidden, fan: .encoder, rng: &rng)
            tape = Tape(store: store)
            data = [Float](repeating: 0, count: batch * steps * input)
            data.withUnsafeMutableBufferPointer { rng.fillUniform($0.baseAddress!, count: $0.count, low: -1, high: 1) }
        }

        /// One forward + backward pass over the whole unroll.
        public func run() {
            tape.reset()
            var h = tape.constant(rows: batch, cols: hidden, repeating: 0)
            var total = tape.constant(rows: 1, cols: 1, repeating: 0)
            data.withUnsafeBufferPointer { d in
                let proj = projected
                    ? tape.gruInputProjection(tape.timeMajor(d.baseAddress!, batch: batch, steps: steps, features: input), weights)
                    : nil
                for t in 0..<steps {
                    if let proj {
                        h = tape.gruCell(projected: tape.sliceRows(proj, start: t * batch, count: batch), h: h, weights)
                    } else {
                        let x = tape.timeStep(d.baseAddress!, batch: batch, steps: steps, features: input, t: t)
                        h = tape.gruCell(x: x, h: h, weights)
                    }
                    total = tape.add(total, tape.mean(h))
                }
            }
            tape.backward(total)
        }

        /// FLOPs of one `run()` (GRU GEMMs + element-wise work, per `gruStepFlops`).
        public var flops: Double { Double(steps) * gruStepFlops(batch: batch, input: input, hidden: hidden) }
    }

    /// One row of the benchmark table.
    public struct GRURow: Sendable {
        public var batch, input, hidden, steps: Int
        public var gemmGFlops: Double
        public var gruGFlops: Double
        /// Same unroll with the input projection hoisted out of the loop.
        public var projectedGFlops: Double
        public var secondsPerStep: Double
        public var allocationsPerStep: Double
        public var ratio: Double { gruGFlops / gemmGFlops }
    }

    /// Measures one configuration.
    public static func measureGRU(batch: Int, input: Int, hidden: Int, steps: Int, minSeconds: Double) -> GRURow {
        let gemm = gruGemmGFlops(batch: batch, input: input, hidden: hidden, minSeconds: minSeconds)
        let unroll = GRUUnroll(batch: batch, input: input, hidden: hidden, steps: steps)
        unroll.run(); unroll.run()
        let allocs = AllocationCounter.count { for _ in 0..<3 { unroll.run() } }
        let t = timePerCall(minSeconds: minSeconds) { unroll.run() }
        let proj = GRUUnroll(batch: batch, input: input, hidden: hidden, steps: steps, projected: true)
        let tp = timePerCall(minSeconds: minSeconds) { proj.run() }
        return GRURow(batch: batch, input: input, hidden: hidden, steps: steps, gemmGFlops: gemm,
                      gruGFlops: unroll.flops / t / 1e9, projectedGFlops: proj.flops / tp / 1e9,
                      secondsPerStep: t / Double(steps),
                      allocationsPerStep: Double(allocs) / Double(3 * steps))
    }
}

import Foundation
