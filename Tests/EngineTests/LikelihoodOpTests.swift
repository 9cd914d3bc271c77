import Foundation
import Testing
import Engine

/// Finite-difference gradient checks and closed-form values of the continuous likelihood ops.
@Suite struct LikelihoodOpTests {
    /// Targets: positive reals with a few exact zeros (for the zero-inflated branch).
    func targets(_ t: Tape, withZeros: Bool) -> Tensor {
        var v: [Float] = (0..<15).map { 0.2 + 0.37 * Float($0 % 7) }
        if withZeros { v[1] = 0; v[8] = 0; v[13] = 0 }
        return t.constant(rows: 3, cols: 5, v)
    }

    @Test func gaussianGradients() {
        let s = ParameterStore()
        let m = uniformParam(s, "m", 3, 5, lo: -1, hi: 2), lv = uniformParam(s, "lv", 3, 5, lo: -1, hi: 1)
        let r = gradcheck(s) { t, _ in t.gaussianNLL(mean: t.param(m), logVar: t.param(lv), target: targets(t, withZeros: false)) }
        #expect(r.passed, "\(r)")
    }

    @Test func squaredErrorGradients() {
        let s = ParameterStore()
        let m = uniformParam(s, "m", 3, 5, lo: -1, hi: 3)
        let r = gradcheck(s) { t, _ in t.squaredError(mean: t.param(m), target: targets(t, withZeros: true)) }
        #expect(r.passed, "\(r)")
        #expect(r.checked == 15)
    }

    /// Negative control: the checker flags a squared error whose gradient is cut on some elements.
    @Test func squaredErrorCheckerCatchesAWrongGradient() {
        let s = ParameterStore()
        let m = uniformParam(s, "m", 3, 5, lo: -1, hi: 3)
        let cut: [Float] = (0..<15).map { $0 == 4 ? 0 : 1 }
        let r = gradcheck(s) { t, _ in
            t.gradientMask(t.squaredError(mean: t.param(m), target: targets(t, withZeros: true)), t.constant(rows: 3, cols: 5, cut))
        }
        #expect(!r.passed)
        #expect(r.failures >= 1)
    }

    @Test func gammaGradients() {
        let s = ParameterStore()
        let la = uniformParam(s, "la", 3, 5, lo: -0.5, hi: 1.5), lb = uniformParam(s, "lb", 3, 5, lo: -1, hi: 1)
        let r = gradcheck(s) { t, _ in t.gammaNLL(logAlpha: t.param(la), logBeta: t.param(lb), target: targets(t, withZeros: false)) }
        #expect(r.passed, "\(r)")
    }

    /// The whole ZIG parameterisation as the model uses it: sigmoid, clamp, per-neuron scale.
    @Test func zeroInflatedGammaGradients() {
        let s = ParameterStore()
        let ap = uniformParam(s, "ap", 3, 5, lo: -2, hi: 2), bp = uniformParam(s, "bp", 3, 5, lo: -2, hi: 2)
        let qp = uniformParam(s, "qp", 3, 5, lo: -2, hi: 2)
        let sa = uniformParam(s, "sa", 1, 5, lo: 1, hi: 3), sb = uniformParam(s, "sb", 1, 5, lo: 1, hi: 3)
        let r = gradcheck(s) { t, _ in
            let a = t.mul(t.clampMin(t.sigmoid(t.param(ap)), 1e-5), t.param(sa))
            let b = t.mul(t.clampMin(t.sigmoid(t.param(bp)), 1e-5), t.param(sb))
            let q = t.clampMin(t.sigmoid(t.param(qp)), 1e-5)
            return t.zeroInflatedGammaNLL(alpha: a, beta: b, q: q, target: targets(t, withZeros: true), loc: 0.1)
        }
        #expect(r.passed, "\(r)")
    }

    @Test func valuesMatchClosedForms() {
        let t = Tape(store: ParameterStore())
        let y = t.constant(rows: 1, cols: 2, [0, 2.5])
        let g = t.array(t.gaussianNLL(mean: t.constant(rows: 1, cols: 2, [1, 1]), logVar: t.constant(rows: 1, cols: 2, [0, log(4)]), target: y))
        #expect(abs(Double(g[0]) - (0.5 * log(2 * .pi) + 0.5)) < 1e-5)
        #expect(abs(Double(g[1]) - 0.5 * (log(2 * .pi) + log(4) + 2.25 / 4)) < 1e-5)
        let se = t.array(t.squaredError(mean: t.constant(rows: 1, cols: 2, [1, -0.5]), target: y))
        #expect(se == [1, 9])
        // Gamma(α=2, β=3) at y = 2.5: −[2 ln 3 + ln 2.5 − 7.5 − lnΓ(2)].
        let y2 = t.constant(rows: 1, cols: 1, [2.5])
        let gm = t.scalar(t.gammaNLL(logAlpha: t.constant(rows: 1, cols: 1, [Float(log(2.0))]),
                                     logBeta: t.constant(rows: 1, cols: 1, [Float(log(3.0))]), target: y2))
        #expect(abs(Double(gm) + (2 * log(3) + log(2.5) - 7.5)) < 1e-4)
        let z = t.array(t.zeroInflatedGammaNLL(alpha: t.constant(rows: 1, cols: 2, [2, 2]), beta: t.constant(rows: 1, cols: 2, [3, 3]),
                                               q: t.constant(rows: 1, cols: 2, [0.25, 0.25]), target: y, loc: 0.5))
        #expect(abs(Double(z[0]) + log(0.75)) < 1e-6)
        #expect(abs(Double(z[1]) - (-log(0.25) - (2 * log(3) + log(2.0) - 6)))  < 1e-4)
    }

    /// Multiplying by a 0/1 observed mask gives exactly zero gradient to the masked elements.
    @Test func maskedElementsGetExactlyZeroGradient() {
        let s = ParameterStore()
        let m = uniformParam(s, "m", 3, 5), lv = uniformParam(s, "lv", 3, 5)
        let t = Tape(store: s)
        let mask: [Float] = (0..<15).map { $0 % 3 == 0 ? 0 : 1 }
        let nll = t.gaussianNLL(mean: t.param(m), logVar: t.param(lv), target: targets(t, withZeros: false))
        t.backward(t.sum(t.mul(nll, t.constant(rows: 3, cols: 5, mask))))
        let gm = s.grad(m), glv = s.grad(lv)
        for i in 0..<15 {
            if mask[i] == 0 { #expect(gm[i] == 0 && glv[i] == 0) } else { #expect(gm[i] != 0 && glv[i] != 0) }
        }
    }
}
