import Testing
import Engine

@Suite struct MaskTests {
    /// L = ℓ·g + stopgrad(ℓ·(1−g)): value unchanged, gradient only where g = 1.
    @Test func gradientMaskMatchesStopGradientFormula() {
        let s = ParameterStore()
        let a = uniformParam(s, "a", 3, 4)
        let g: [Float] = [1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
        let tape = Tape(store: s)
        let x = tape.param(a)
        let y = tape.gradientMask(tape.square(x), tape.constant(rows: 3, cols: 4, g))
        #expect(tape.array(y) == tape.array(tape.square(x)))
        tape.backward(tape.sum(y))
        let masked = Array(s.grad(a))

        tape.reset()
        let x2 = tape.param(a)
        let l = tape.square(x2)
        let gm = tape.constant(rows: 3, cols: 4, g)
        let inv = tape.constant(rows: 3, cols: 4, g.map { 1 - $0 })
        let formula = tape.add(tape.mul(l, gm), tape.stopGradient(tape.mul(l, inv)))
        #expect(tape.array(formula) == tape.array(l))
        tape.backward(tape.sum(formula))
        let reference = Array(s.grad(a))
        #expect(masked == reference)
        let av = s.value(a)
        for i in 0..<12 { #expect(masked[i] == (g[i] == 1 ? 2 * av[i] : 0)) }
    }

    @Test func poissonGradientMaskOnlyChangesGradient() {
        let s = ParameterStore()
        let lr = uniformParam(s, "lr", 2, 3)
        let y: [Float] = [0, 2, 1, 4, 0, 1], g: [Float] = [1, 0, 1, 0, 0, 1]
        let tape = Tape(store: s)
        let plain = tape.poissonNLL(logRate: tape.param(lr), target: tape.constant(rows: 2, cols: 3, y))
        tape.backward(tape.sum(plain))
        let full = Array(s.grad(lr)), fullValue = tape.array(plain)
        tape.reset()
        let masked = tape.poissonNLL(logRate: tape.param(lr), target: tape.constant(rows: 2, cols: 3, y),
                                     gradientMask: tape.constant(rows: 2, cols: 3, g))
        tape.backward(tape.sum(masked))
        #expect(tape.array(masked) == fullValue)
        for i in 0..<6 { #expect(s.grad(lr)[i] == full[i] * g[i]) }
    }

    @Test func stopGradientBlocksGradient() {
        let s = ParameterStore()
        let a = uniformParam(s, "a", 2, 2)
        let tape = Tape(store: s)
        let x = tape.param(a)
        tape.backward(tape.sum(tape.add(x, tape.stopGradient(tape.square(x)))))
        #expect(Array(s.grad(a)) == [1, 1, 1, 1])
    }

    /// Negative control: the checker must flag a wrong gradient (stop-gradient masks are, by
    /// design, not the derivative of the value).
    @Test func checkerCatchesWrongGradient() {
        let s = ParameterStore()
        let a = uniformParam(s, "a", 3, 3)
        let r = gradcheck(s) { t, _ in
            t.gradientMask(t.square(t.param(a)), t.constant(rows: 3, cols: 3, [1, 0, 1, 1, 1, 1, 1, 1, 1]))
        }
        #expect(!r.passed)
        #expect(r.failures >= 1)
    }
}

@Suite struct InferenceModeTests {
    @Test func gradDisabledGivesSameValuesWithoutGradients() {
        let s = ParameterStore()
        var rng = Rng(seed: 8)
        let w = GRUWeights(store: s, name: "g", inputSize: 3, hiddenSize: 4, fan: .decoder, rng: &rng)
        let x = uniformParam(s, "x", 2, 3), h = uniformParam(s, "h", 2, 4)
        let train = Tape(store: s)
        let a = train.array(train.gruCell(x: train.param(x), h: train.param(h), w))
        let infer = Tape(store: s)
        infer.gradEnabled = false
        let out = infer.gruCell(x: infer.param(x), h: infer.param(h), w)
        #expect(infer.array(out) == a)
        #expect(infer.grad(out) == nil)
    }
}
