import Testing
import Engine

/// The example of docs/ENGINE.md, compiled and run (keep the two in sync).
final class DocExample {
    let store = ParameterStore()
    let gen: GRUWeights
    let facW, readW, readB: Param
    let opt: Adam
    let tape: Tape
    var rng = Rng(seed: 42)

    init() {
        var initRng = Rng(seed: 1)
        gen = GRUWeights(store: store, name: "gen", inputSize: 4, hiddenSize: 64, fan: .decoder, rng: &initRng)
        facW = store.add("fac.w", rows: 20, cols: 64, init: .fanNormal(fan: 64), rng: &initRng)
        readW = store.add("readout.w", rows: 50, cols: 20, init: .fanNormal(fan: 20), rng: &initRng)
        readB = store.add("readout.b", rows: 1, cols: 50)
        opt = Adam(store: store, learningRate: 4e-3, epsilon: 1e-8, weightDecay: 0)
        tape = Tape(store: store)
    }

    func trainStep(spikes: UnsafePointer<Float>, inputs: UnsafePointer<Float>, batch: Int, steps: Int) -> Float {
        tape.reset()
        var h = tape.constant(rows: batch, cols: 64, repeating: 0)
        var loss = tape.constant(rows: 1, cols: 1, repeating: 0)
        let fac = tape.rowNormalize(tape.param(facW))
        for t in 0..<steps {
            let u = tape.timeStep(inputs, batch: batch, steps: steps, features: 4, t: t)
            h = tape.gruCell(x: u, h: h, gen)
            let f = tape.linear(tape.dropout(h, rate: 0.3, rng: &rng), fac)
            let logRate = tape.linear(f, tape.param(readW), tape.param(readB))
            let y = tape.timeStep(spikes, batch: batch, steps: steps, features: 50, t: t)
            loss = tape.add(loss, tape.scale(tape.mean(tape.poissonNLL(logRate: logRate, target: y)), 1 / Float(steps)))
        }
        tape.backward(loss)
        let norm = store.clipGradNorm(200)
        if norm.isFinite { opt.update(store) }
        return tape.scalar(loss)
    }
}

@Test func docExampleTrains() {
    let ex = DocExample()
    let batch = 16, steps = 10
    var dataRng = Rng(seed: 5)
    var spikes = [Float](repeating: 0, count: batch * steps * 50)
    var inputs = [Float](repeating: 0, count: batch * steps * 4)
    inputs.withUnsafeMutableBufferPointer { dataRng.fillNormal($0.baseAddress!, count: $0.count) }
    spikes.withUnsafeMutableBufferPointer { dataRng.fillBernoulli($0.baseAddress!, count: $0.count, p: 0.2) }
    var losses: [Float] = []
    for _ in 0..<40 {
        losses.append(spikes.withUnsafeBufferPointer { s in
            inputs.withUnsafeBufferPointer { i in ex.trainStep(spikes: s.baseAddress!, inputs: i.baseAddress!, batch: batch, steps: steps) }
        })
    }
    #expect(losses.allSatisfy { $0.isFinite })
    #expect(losses.last! < losses.first! * 0.8, "\(losses.first!) → \(losses.last!)")
}
