import Testing
import Foundation
import Engine

@Suite struct GRUTests {
    /// Straightforward Double reference of one clipped GRU step (gate order z, r, n).
    func referenceStep(x: [Double], h: [Double], wih: [Double], bih: [Double], whh: [Double],
                       batch: Int, input: Int, hidden: Int, clip: Double) -> [Double] {
        var out = [Double](repeating: 0, count: batch * hidden)
        func sig(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }
        for b in 0..<batch {
            for j in 0..<hidden {
                func xdot(_ row: Int) -> Double { (0..<input).reduce(0) { $0 + x[b * input + $1] * wih[row * input + $1] } }
                func hdot(_ row: Int, _ v: (Int) -> Double) -> Double { (0..<hidden).reduce(0) { $0 + v($1) * whh[row * hidden + $1] } }
                let z = sig(xdot(j) + bih[j] + hdot(j) { h[b * hidden + $0] })
                var n = xdot(2 * hidden + j) + bih[2 * hidden + j]
                n += hdot(2 * hidden + j) { k in
                    let r = sig(xdot(hidden + k) + bih[hidden + k] + hdot(hidden + k) { h[b * hidden + $0] })
                    return r * h[b * hidden + k]
                }
                let hp = z * h[b * hidden + j] + (1 - z) * Foundation.tanh(n)
                out[b * hidden + j] = min(max(hp, -clip), clip)
            }
        }
        return out
    }

    @Test func forwardMatchesReference() {
        let s = ParameterStore()
        var rng = Rng(seed: 9)
        let w = GRUWeights(store: s, name: "gru", inputSize: 5, hiddenSize: 6, fan: .encoder, clip: 0.6, rng: &rng)
        let x = uniformParam(s, "x", 3, 5), h = uniformParam(s, "h", 3, 6)
        let tape = Tape(store: s)
        let out = tape.array(tape.gruCell(x: tape.param(x), h: tape.param(h), w))
        let d = { (p: Param) in s.value(p).map(Double.init) }
        let ref = referenceStep(x: d(x), h: d(h), wih: d(w.wih), bih: d(w.bih), whh: d(w.whh),
                                batch: 3, input: 5, hidden: 6, clip: 0.6)
        for i in 0..<out.count { #expect(abs(Double(out[i]) - ref[i]) < 2e-6, "element \(i)") }
        #expect(out.contains { abs($0) == 0.6 }, "some states should be clamped")
        #expect(out.contains { abs($0) < 0.59 }, "some states should be free")
    }

    @Test func initFollowsLFADSConventions() {
        let s = ParameterStore()
        var rng = Rng(seed: 1)
        let w = GRUWeights(store: s, name: "g", inputSize: 30, hiddenSize: 50, fan: .decoder, rng: &rng)
        let b = s.value(w.bih)
        #expect(b[0..<100].allSatisfy { $0 == 1 } && b[100..<150].allSatisfy { $0 == 0 })
        func std(_ p: Param) -> Double {
            let v = s.value(p).map(Double.init)
            let m = v.reduce(0, +) / Double(v.count)
            return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot()
        }
        #expect(abs(std(w.wih) - 1 / 30.0.squareRoot()) < 0.01)
        #expect(abs(std(w.whh) - 1 / 50.0.squareRoot()) < 0.01)
        let e = ParameterStore()
        let we = GRUWeights(store: e, name: "e", inputSize: 30, hiddenSize: 50, fan: .encoder, rng: &rng)
        #expect(abs({ () -> Double in
            let v = e.value(we.whh).map(Double.init); return (v.map { $0 * $0 }.reduce(0, +) / Double(v.count)).squareRoot()
        }() - 1 / 80.0.squareRoot()) < 0.01)
    }

    @Test func singleStepGradientsAwayFromClip() {
        let s = ParameterStore()
        var rng = Rng(seed: 2)
        let w = GRUWeights(store: s, name: "gru", inputSize: 4, hiddenSize: 5, fan: .encoder, clip: 5, rng: &rng)
        let x = uniformParam(s, "x", 3, 4), h = uniformParam(s, "h", 3, 5)
        let r = gradcheck(s) { t, _ in t.gruCell(x: t.param(x), h: t.param(h), w) }
        #expect(r.passed, "\(r)")
    }

    /// States straddle ±clip: clamped elements must get zero gradient, free ones the full one.
    @Test func gradientsThroughClipBoundary() {
        let s = ParameterStore()
        var rng = Rng(seed: 4)
        let w = GRUWeights(store: s, name: "gru", inputSize: 4, hiddenSize: 6, fan: .decoder, clip: 0.4, rng: &rng)
        let x = uniformParam(s, "x", 4, 4, lo: -2, hi: 2), h = uniformParam(s, "h", 4, 6, lo: -0.5, hi: 0.5)
        let tape = Tape(store: s)
        let out = tape.array(tape.gruCell(x: tape.param(x), h: tape.param(h), w))
        let clamped = out.filter { abs($0) == 0.4 }.count
        #expect(clamped > 2 && clamped < out.count - 2, "need both clamped and free states, got \(clamped)/\(out.count)")
        let r = gradcheck(s, step: 1e-3) { t, _ in t.gruCell(x: t.param(x), h: t.param(h), w) }
        #expect(r.passed, "\(r)")
    }

    @Test func multiStepSequenceGradients() {
        let s = ParameterStore()
        var rng = Rng(seed: 5)
        let w = GRUWeights(store: s, name: "gru", inputSize: 3, hiddenSize: 5, fan: .encoder, clip: 0.9, rng: &rng)
        let h0 = uniformParam(s, "h0", 1, 5, lo: -0.5, hi: 0.5)
        let xs = uniformParam(s, "xs", 4 * 2, 3, lo: -1.5, hi: 1.5)   // T=4 steps of B=2
        let readout = uniformParam(s, "readout", 2, 5)
        let r = gradcheck(s, step: 1e-3) { t, _ in
            let ones = t.constant(rows: 2, cols: 1, repeating: 1)
            var h = t.matmul(ones, t.param(h0))                       // broadcast learned h0 to B×H
            let all = t.param(xs)
            var outs: Tensor? = nil
            for step in 0..<4 {
                let x = t.matmul(t.constant(rows: 2, cols: 8, (0..<16).map { Float(($0 % 8) == step * 2 + $0 / 8 ? 1 : 0) }), all)
                h = t.gruCell(x: x, h: h, w)
                let y = t.linear(h, t.param(readout))
                outs = outs.map { t.concatCols($0, y) } ?? y
            }
            return outs!
        }
        #expect(r.passed, "\(r)")
    }

    @Test func zeroInputWidthWorks() {
        let s = ParameterStore()
        var rng = Rng(seed: 6)
        let w = GRUWeights(store: s, name: "gen", inputSize: 0, hiddenSize: 4, fan: .decoder, rng: &rng)
        let h = uniformParam(s, "h", 2, 4)
        let r = gradcheck(s) { t, _ in t.gruCell(x: t.constant(rows: 2, cols: 0), h: t.param(h), w) }
        #expect(r.passed, "\(r)")
    }
}

@Suite struct ProjectedGRUTests {
    /// Encoder-style unroll: project all T steps with one GEMM, slice per step.
    func unroll(_ t: Tape, _ w: GRUWeights, data: [Float], h0: Param, projected: Bool) -> Tensor {
        let batch = 2, steps = 3, features = 3
        return data.withUnsafeBufferPointer { d -> Tensor in
            var h = t.matmul(t.constant(rows: batch, cols: 1, repeating: 1), t.param(h0))
            var outs: Tensor? = nil
            let proj = projected ? t.gruInputProjection(t.timeMajor(d.baseAddress!, batch: batch, steps: steps, features: features), w) : nil
            for step in 0..<steps {
                if let proj {
                    h = t.gruCell(projected: t.sliceRows(proj, start: step * batch, count: batch), h: h, w)
                } else {
                    h = t.gruCell(x: t.timeStep(d.baseAddress!, batch: batch, steps: steps, features: features, t: step), h: h, w)
                }
                outs = outs.map { t.concatCols($0, h) } ?? h
            }
            return outs!
        }
    }

    @Test func projectedMatchesDirectAndGradchecks() {
        let s = ParameterStore()
        var rng = Rng(seed: 21)
        let w = GRUWeights(store: s, name: "enc", inputSize: 3, hiddenSize: 4, fan: .encoder, clip: 0.8, rng: &rng)
        let h0 = uniformParam(s, "h0", 1, 4, lo: -0.3, hi: 0.3)
        var data = [Float](repeating: 0, count: 2 * 3 * 3)
        data.withUnsafeMutableBufferPointer { rng.fillUniform($0.baseAddress!, count: $0.count, low: -2, high: 2) }
        let tape = Tape(store: s)
        let a = unroll(tape, w, data: data, h0: h0, projected: false)
        var seed = [Float](repeating: 0, count: a.count)
        seed.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: $0.count) }
        seed.withUnsafeBufferPointer { tape.backward(a, seed: $0.baseAddress!) }
        let va = tape.array(a), ga = Array(s.grads)
        tape.reset()
        let b = unroll(tape, w, data: data, h0: h0, projected: true)
        seed.withUnsafeBufferPointer { tape.backward(b, seed: $0.baseAddress!) }
        let vb = tape.array(b), gb = Array(s.grads)
        for i in 0..<va.count { #expect(abs(va[i] - vb[i]) < 1e-6) }
        for i in 0..<ga.count { #expect(abs(ga[i] - gb[i]) < 1e-5 * max(1, abs(ga[i])), "grad \(i)") }
        let r = gradcheck(s, step: 1e-3) { t, _ in unroll(t, w, data: data, h0: h0, projected: true) }
        #expect(r.passed, "\(r)")
    }
}
