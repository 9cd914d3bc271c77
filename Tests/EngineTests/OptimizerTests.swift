import Testing
import Foundation
import Engine

@Suite struct OptimizerTests {
    /// Hand-computed PyTorch Adam/AdamW steps on two scalars.
    func reference(theta: Double, grads: [Double], lr: Double, b1: Double, b2: Double, eps: Double,
                   wd: Double, decoupled: Bool) -> Double {
        var p = theta, m = 0.0, v = 0.0
        for (i, g0) in grads.enumerated() {
            let t = Double(i + 1)
            if decoupled { p *= 1 - lr * wd }
            let g = decoupled ? g0 : g0 + wd * p
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            let mhat = m / (1 - Foundation.pow(b1, t)), vhat = v / (1 - Foundation.pow(b2, t))
            p -= lr * mhat / (vhat.squareRoot() + eps)
        }
        return p
    }

    @Test(arguments: [(0.0, true), (0.1, true), (0.1, false)])
    func adamMatchesHandComputedSteps(config: (Double, Bool)) {
        let (wd, decoupled) = config
        let s = ParameterStore()
        let p = s.add("p", rows: 1, cols: 2, init: .constant(0.5))
        let frozen = s.add("frozen", rows: 1, cols: 1, init: .constant(3), trainable: false)
        let opt = Adam(store: s, learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
                       weightDecay: Float(wd), decoupled: decoupled)
        let grads: [[Float]] = [[0.3, -2], [0.1, -1], [-0.4, 0.5]]
        for g in grads {
            s.grad(p)[0] = g[0]; s.grad(p)[1] = g[1]; s.grad(frozen)[0] = 7
            opt.update(s)
        }
        for k in 0..<2 {
            let expected = reference(theta: 0.5, grads: grads.map { Double($0[k]) }, lr: 0.01, b1: 0.9, b2: 0.999,
                                     eps: 1e-8, wd: wd, decoupled: decoupled)
            #expect(abs(Double(s.value(p)[k]) - expected) < 1e-6, "element \(k): \(s.value(p)[k]) vs \(expected)")
        }
        #expect(s.value(frozen)[0] == 3)
        #expect(opt.step == 3)
    }

    @Test func learningRateChangeAndStateRoundTrip() throws {
        let s = ParameterStore()
        let p = s.add("p", rows: 1, cols: 3, init: .constant(1))
        let opt = Adam(store: s, learningRate: 0.1)
        _ = s.grad(p).update(from: [1, 2, 3]); opt.update(s)
        let saved = try JSONEncoder().encode(opt.state)
        let values = s.snapshotValues()
        _ = s.grad(p).update(from: [0.5, -1, 2]); opt.learningRate = 0.05; opt.update(s)
        let after = Array(s.value(p))

        let s2 = ParameterStore()
        let p2 = s2.add("p", rows: 1, cols: 3)
        try s2.restoreValues(values)
        let opt2 = Adam(store: s2, learningRate: 1)
        try opt2.restore(JSONDecoder().decode(Adam.State.self, from: saved))
        opt2.learningRate = 0.05
        _ = s2.grad(p2).update(from: [0.5, -1, 2]); opt2.update(s2)
        #expect(Array(s2.value(p2)) == after)
        #expect(throws: EngineError.self) { try opt2.restore(Adam(store: ParameterStore(), learningRate: 1).state) }
    }

    @Test func globalNormClipping() {
        let s = ParameterStore()
        let a = s.add("a", rows: 1, cols: 2), b = s.add("b", rows: 1, cols: 1)
        let frozen = s.add("f", rows: 1, cols: 1, trainable: false)
        _ = s.grad(a).update(from: [3, 0]); s.grad(b)[0] = 4; s.grad(frozen)[0] = 100
        let norm = s.clipGradNorm(2.5)
        #expect(norm == 5)
        #expect(abs(s.grad(a)[0] - 1.5) < 1e-6 && abs(s.grad(b)[0] - 2) < 1e-6)
        #expect(abs(s.gradNorm() - 2.5) < 1e-6)
        #expect(s.clipGradNorm(10) == s.gradNorm())   // below threshold: untouched
    }

    @Test func storeCopyAndLayoutChecks() throws {
        var rng = Rng(seed: 1)
        let a = ParameterStore(), b = ParameterStore()
        for s in [a, b] { s.add("w", rows: 2, cols: 3, init: .normal(std: 1), rng: &rng); s.add("b", rows: 1, cols: 3) }
        b.copyValues(from: a)
        #expect(Array(a.values) == Array(b.values))
        #expect(a.param(named: "w")?.rows == 2 && a.param(named: "missing") == nil)
        #expect(throws: EngineError.self) { try a.restoreValues([1, 2]) }
    }
}

/// Tapes with their own gradient buffers (data-parallel shards) and the fork-join helper.
@Suite struct ParallelTapeTests {
    @Test func separateGradientsLeaveTheStoreAloneAndSumToTheJointGradient() {
        let s = ParameterStore()
        var rng = Rng(seed: 3)
        let w = s.add("w", rows: 3, cols: 2, init: .fanNormal(fan: 3), rng: &rng)
        let x: [[Float]] = [[1, 2, 3], [-1, 0.5, 2], [0.3, -2, 1], [2, 2, -1]]
        func loss(_ tape: Tape, rows: Range<Int>) -> Tensor {
            let xs = tape.constant(rows: rows.count, cols: 3, rows.flatMap { x[$0] })
            return tape.sum(tape.square(tape.matmul(xs, tape.param(w))))
        }
        let joint = Tape(store: s)
        joint.backward(loss(joint, rows: 0..<4))
        let expected = Array(s.grads)
        s.zeroGrads()
        let parts = [Tape(store: s, separateGradients: true), Tape(store: s, separateGradients: true)]
        Parallel.forEach(2) { k in parts[k].backward(loss(parts[k], rows: k == 0 ? 0..<3 : 3..<4)) }
        #expect(s.grads.allSatisfy { $0 == 0 })
        for i in 0..<s.count {
            let sum = parts[0].parameterGradients[i] + parts[1].parameterGradients[i]
            #expect(abs(sum - expected[i]) <= 1e-5 * max(1, abs(expected[i])))
        }
    }

    @Test func chunksCoverTheRangeInOrderLargerFirst() {
        #expect(Parallel.chunks(7, parts: 2) == [0..<4, 4..<7])
        #expect(Parallel.chunks(1, parts: 3) == [0..<1, 1..<1, 1..<1])
        #expect(Parallel.chunks(6, parts: 3) == [0..<2, 2..<4, 4..<6])
        let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: 8)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0)
        Parallel.forEach(8) { hits[$0] += $0 + 1 }
        #expect(Array(hits) == Array(1...8))
    }
}
