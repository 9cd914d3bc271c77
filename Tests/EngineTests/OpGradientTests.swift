import Testing
import Engine

@Suite struct OpGradientTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmul(transposes: (Bool, Bool)) {
        let s = ParameterStore()
        let (tA, tB) = transposes
        let a = tA ? uniformParam(s, "a", 4, 3) : uniformParam(s, "a", 3, 4)
        let b = tB ? uniformParam(s, "b", 5, 4) : uniformParam(s, "b", 4, 5)
        let r = gradcheck(s) { t, _ in t.matmul(t.param(a), t.param(b), transposeA: tA, transposeB: tB) }
        #expect(r.passed, "\(r)")
    }

    @Test func linearWithAndWithoutBias() {
        let s = ParameterStore()
        let x = uniformParam(s, "x", 4, 3), w = uniformParam(s, "w", 5, 3), b = uniformParam(s, "b", 1, 5)
        let r = gradcheck(s) { t, _ in
            t.add(t.linear(t.param(x), t.param(w), t.param(b)), t.linear(t.param(x), t.param(w)))
        }
        #expect(r.passed, "\(r)")
    }

    @Test(arguments: [(3, 4), (1, 4), (3, 1), (1, 1)])
    func broadcastBinaryOps(rhsShape: (Int, Int)) {
        let s = ParameterStore()
        let a = uniformParam(s, "a", 3, 4)
        let b = uniformParam(s, "b", rhsShape.0, rhsShape.1, lo: 0.5, hi: 1.5)
        let r = gradcheck(s) { t, _ in
            let pa = t.param(a), pb = t.param(b)
            return t.concatCols(t.concatCols(t.add(pa, pb), t.sub(pa, pb)), t.mul(pa, pb))
        }
        #expect(r.passed, "\(r)")
    }

    @Test func unaryOps() {
        let s = ParameterStore()
        let a = uniformParam(s, "a", 3, 5, lo: -2, hi: 2)
        let pos = uniformParam(s, "pos", 3, 5, lo: 0.5, hi: 3)
        let r = gradcheck(s) { t, _ in
            let x = t.param(a), p = t.param(pos)
            var out = t.scale(x, -1.7)
            out = t.concatCols(out, t.addScalar(x, 0.3))
            out = t.concatCols(out, t.exp(x))
            out = t.concatCols(out, t.softplus(x))
            out = t.concatCols(out, t.sigmoid(x))
            out = t.concatCols(out, t.tanh(x))
            out = t.concatCols(out, t.square(x))
            out = t.concatCols(out, t.log(p))
            out = t.concatCols(out, t.sqrt(p))
            return t.concatCols(out, t.lgamma(p))
        }
        #expect(r.passed, "\(r)")
    }

    @Test func sliceConcatAndReductions() {
        let s = ParameterStore()
        let a = uniformParam(s, "a", 4, 6), b = uniformParam(s, "b", 4, 2)
        let r = gradcheck(s) { t, _ in
            let x = t.concatCols(t.sliceCols(t.param(a), start: 1, count: 3), t.param(b))   // 4×5
            let rows = t.concatCols(t.rowSum(x), t.rowMean(x))                               // 4×2
            let cols = t.concatCols(t.colSum(x), t.colMean(x))                               // 1×10
            let total = t.concatCols(t.sum(x), t.mean(x))                                    // 1×2
            return t.concatCols(t.concatCols(t.sum(rows), t.sum(t.square(cols))), total)
        }
        #expect(r.passed, "\(r)")
    }

    @Test func rowNormalizedLinear() {
        let s = ParameterStore()
        let x = uniformParam(s, "x", 5, 4), w = uniformParam(s, "w", 3, 4)
        let r = gradcheck(s) { t, _ in t.linear(t.param(x), t.rowNormalize(t.param(w))) }
        #expect(r.passed, "\(r)")
        // Forward: every row of the normalised weight has unit L2 norm.
        let tape = Tape(store: s)
        let n = tape.value(tape.rowNormalize(tape.param(w)))
        for row in 0..<3 {
            let ss = (0..<4).map { n[row * 4 + $0] * n[row * 4 + $0] }.reduce(0, +)
            #expect(abs(ss - 1) < 1e-5)
        }
    }

    @Test func dropoutMaskIsRecordedAndScaled() {
        let s = ParameterStore()
        let a = uniformParam(s, "a", 6, 7)
        let r = gradcheck(s) { t, rng in t.tanh(t.dropout(t.param(a), rate: 0.4, rng: &rng)) }
        #expect(r.passed, "\(r)")
        let tape = Tape(store: s)
        var rng = Rng(seed: 3)
        let x = tape.param(a)
        let y = tape.value(tape.dropout(x, rate: 0.4, rng: &rng))
        let xv = tape.value(x)
        var zeros = 0
        for i in 0..<y.count {
            if y[i] == 0 { zeros += 1 } else { #expect(abs(y[i] - xv[i] / 0.6) < 1e-6) }
        }
        #expect(zeros > 0 && zeros < y.count)
    }

    @Test func gaussianSampleReparameterised() {
        let s = ParameterStore()
        let m = uniformParam(s, "mean", 4, 3), sd = uniformParam(s, "std", 4, 3, lo: 0.2, hi: 1.5)
        let r = gradcheck(s) { t, rng in t.sampleGaussian(mean: t.param(m), std: t.param(sd), rng: &rng) }
        #expect(r.passed, "\(r)")
    }

    @Test func poissonNLLValueAndGradient() {
        let s = ParameterStore()
        let lr = uniformParam(s, "lr", 3, 4, lo: -2, hi: 1)
        let counts: [Float] = [0, 1, 2, 3, 0, 5, 1, 0, 7, 2, 0, 1]
        let r = gradcheck(s) { t, _ in t.poissonNLL(logRate: t.param(lr), target: t.constant(rows: 3, cols: 4, counts)) }
        #expect(r.passed, "\(r)")
        let tape = Tape(store: s)
        let out = tape.value(tape.poissonNLL(logRate: tape.param(lr), target: tape.constant(rows: 3, cols: 4, counts)))
        let l = s.value(lr)
        for i in 0..<12 {
            let expected = Foundation.exp(Double(l[i])) - Double(counts[i]) * Double(l[i]) + Foundation.lgamma(Double(counts[i]) + 1)
            #expect(abs(Double(out[i]) - expected) < 1e-5 * max(1, abs(expected)))
        }
    }

    @Test func klGaussianWithBroadcastPrior() {
        let s = ParameterStore()
        let mq = uniformParam(s, "mq", 4, 3), vq = uniformParam(s, "vq", 4, 3, lo: 0.2, hi: 2)
        let mp = uniformParam(s, "mp", 1, 3), vp = uniformParam(s, "vp", 1, 3, lo: 0.2, hi: 2)
        let r = gradcheck(s) { t, _ in t.klGaussian(meanQ: t.param(mq), varQ: t.param(vq), meanP: t.param(mp), varP: t.param(vp)) }
        #expect(r.passed, "\(r)")
        // KL(q‖q) = 0 and the closed form for one element.
        let tape = Tape(store: s)
        let same = tape.value(tape.klGaussian(meanQ: tape.param(mq), varQ: tape.param(vq), meanP: tape.param(mq), varP: tape.param(vq)))
        #expect(same.allSatisfy { abs($0) < 1e-6 })
        let kl = tape.value(tape.klGaussian(meanQ: tape.param(mq), varQ: tape.param(vq), meanP: tape.param(mp), varP: tape.param(vp)))
        let (a, va, b, vb) = (Double(s.value(mq)[4]), Double(s.value(vq)[4]), Double(s.value(mp)[1]), Double(s.value(vp)[1]))
        let expected = 0.5 * (Foundation.log(vb / va) + (va + (a - b) * (a - b)) / vb - 1)
        #expect(abs(Double(kl[4]) - expected) < 1e-5)
    }

    @Test func logNormalWithBroadcastMeanAndVariance() {
        let s = ParameterStore()
        let x = uniformParam(s, "x", 5, 3), prev = uniformParam(s, "prev", 5, 3)
        let alpha = uniformParam(s, "alpha", 1, 3, lo: 0.5, hi: 0.95), nvar = uniformParam(s, "nvar", 1, 3, lo: 0.1, hi: 1)
        let r = gradcheck(s) { t, _ in
            t.logNormal(t.param(x), mean: t.mul(t.param(prev), t.param(alpha)), variance: t.param(nvar))
        }
        #expect(r.passed, "\(r)")
        let tape = Tape(store: s)
        let v = tape.value(tape.logNormal(tape.param(x), mean: tape.param(prev), variance: tape.param(nvar)))
        let (xv, m, vv) = (Double(s.value(x)[7]), Double(s.value(prev)[7]), Double(s.value(nvar)[1]))
        let expected = -0.5 * (Foundation.log(2 * Double.pi * vv) + (xv - m) * (xv - m) / vv)
        #expect(abs(Double(v[7]) - expected) < 1e-5)
    }
}

import Foundation
