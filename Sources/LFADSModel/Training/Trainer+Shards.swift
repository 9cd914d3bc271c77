import Engine
import LFADSData

/// One data-parallel shard of a trainer: a tape and batch buffers (one per session) of its own.
/// Shard 0 is the trainer's own tape and buffers; the others accumulate gradients in their tape's
/// own buffer, summed into the store after every step.
final class Shard {
    let tape: Tape
    let inputs: [BatchInputs]

    init(tape: Tape, inputs: [BatchInputs]) {
        self.tape = tape
        self.inputs = inputs
    }

    /// A shard with fresh buffers shaped like `sessions`' and a tape with separate gradients.
    init(store: ParameterStore, sessions: [SessionData]) {
        tape = Tape(store: store, separateGradients: true)
        inputs = sessions.map { s in
            BatchInputs(encodBins: s.config.encodSeqLen, encodNeurons: s.config.encodDataDim, reconBins: s.config.reconSeqLen,
                        reconNeurons: s.config.reconDataDim, extDim: s.config.extInputDim)
        }
    }
}

/// What one shard reported for one session's chunk of a step.
private struct ShardPart {
    var session: Int
    var trials: Int
    var result: ForwardResult
}

extension Trainer {
    /// Data-parallel form of `trainStep` (threads > 1): every session's trials are cut into one
    /// contiguous chunk per shard; masks are drawn serially in shard order from the data stream, each
    /// shard gets a model stream split off the trainer's in shard order; the shards run forward and
    /// backward at once, each on its loss weighted by its share of every session's trials (so the summed
    /// gradient is the full batch's), and their gradients are summed into the store in shard order.
    /// Deterministic for a given seed and thread count.
    func shardedTrainStep(_ splits: [SplitArrays], trials idx: [[Int]], weights: LossWeights) throws -> ForwardResult {
        let n = shards.count
        let ranges = idx.map { Parallel.chunks($0.count, parts: n) }   // per session, one range per shard
        let chunks: [[[Int]]] = (0..<n).map { k in idx.indices.map { s in Array(idx[s][ranges[s][k]]) } }
        let active = (0..<n).filter { k in chunks[k].contains { !$0.isEmpty } }
        for k in active {
            for s in idx.indices where !chunks[k][s].isEmpty {
                prepare(splits[s], sv: sessions[s].svTrain, trials: chunks[k][s], training: true, session: s, into: shards[k].inputs[s])
            }
        }
        var rngs = active.map { _ in modelRNG.split() }
        var parts = [[ShardPart]](repeating: [], count: active.count)
        var finite = [Bool](repeating: true, count: active.count)
        let sessionCount = Float(idx.count)
        rngs.withUnsafeMutableBufferPointer { rng in
        parts.withUnsafeMutableBufferPointer { out in
        finite.withUnsafeMutableBufferPointer { ok in
            Parallel.forEach(active.count) { j in
                let k = active[j], tape = shards[k].tape
                tape.reset()
                var loss: Tensor? = nil
                for s in idx.indices where !chunks[k][s].isEmpty {
                    let r = network.forward(tape: tape, inputs: shards[k].inputs[s], rng: &rng[j], training: true, sample: true,
                                            weights: weights, session: s)
                    out[j].append(ShardPart(session: s, trials: chunks[k][s].count, result: r))
                    let share = tape.scale(r.loss, Float(chunks[k][s].count) / Float(idx[s].count) / sessionCount)
                    loss = loss.map { tape.add($0, share) } ?? share
                }
                guard let loss, tape.scalar(loss).isFinite else { ok[j] = false; return }
                tape.backward(loss)
            }
        }}}
        guard !finite.contains(false) else { throw TrainingError.nonFinite(epoch: epoch, what: "the training loss") }
        precondition(active.first == 0, "shardedTrainStep: a step without trials")   // chunks are larger-first
        let total = network.store.grads.baseAddress!
        for j in active.indices where active[j] != 0 {
            let g = shards[active[j]].tape.parameterGradients.baseAddress!
            for i in 0..<network.store.count { total[i] += g[i] }
        }
        try applyGradients()
        return Self.combine(parts.flatMap { $0 }, sessions: idx.count, loss: parts[0][0].result.loss)
    }

    /// The shards' reports of one step as one result: per session the trial-weighted mean over its
    /// chunks, then the mean over sessions (as `ForwardResult.mean`). `loss` is shard 0's own (unweighted)
    /// loss tensor on its tape, not the step's loss: read the reported numbers instead.
    private static func combine(_ parts: [ShardPart], sessions: Int, loss: Tensor) -> ForwardResult {
        func mean(_ f: (ForwardResult) -> Double) -> Double {
            var total = 0.0, present = 0.0
            for s in 0..<sessions {
                let mine = parts.filter { $0.session == s }
                let n = mine.reduce(0) { $0 + $1.trials }
                guard n > 0 else { continue }
                total += mine.reduce(0) { $0 + f($1.result) * Double($1.trials) } / Double(n)
                present += 1
            }
            return total / max(present, 1)
        }
        return ForwardResult(loss: loss, reconHeldIn: mean(\.reconHeldIn),
                             reconHeldOut: parts[0].result.reconHeldOut == nil ? nil : mean { $0.reconHeldOut ?? 0 },
                             klIc: mean(\.klIc), klCo: mean(\.klCo), l2: parts[0].result.l2)
    }

    /// Turns gradients off on every shard's tape; the returned closure restores what each had.
    private func inferenceMode() -> () -> Void {
        let before = shards.map(\.tape.gradEnabled)
        for s in shards { s.tape.gradEnabled = false }
        return { [shards] in for (s, on) in zip(shards, before) { s.tape.gradEnabled = on } }
    }

    /// Data-parallel validation of one batch (threads > 1): the batch is cut into one chunk per shard,
    /// each shard samples from a stream split off `rng` in shard order. Returns the trial-weighted sums
    /// of the held-in and held-out recon and the trial count.
    func shardedEvaluate(_ split: SplitArrays, sv: SampleValidationMask, trials idx: [Int], weights: LossWeights,
                         rng: inout Rng, session: Int) -> (heldIn: Double, heldOut: Double, trials: Double) {
        let ranges = Parallel.chunks(idx.count, parts: shards.count).filter { !$0.isEmpty }
        for (k, range) in ranges.enumerated() {
            prepare(split, sv: sv, trials: Array(idx[range]), training: false, session: session, into: shards[k].inputs[session])
        }
        var rngs = ranges.map { _ in rng.split() }
        var sums = [(Double, Double)](repeating: (0, 0), count: ranges.count)
        let restore = inferenceMode()
        defer { restore() }
        rngs.withUnsafeMutableBufferPointer { rng in
        sums.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(ranges.count) { k in
                let tape = shards[k].tape
                tape.reset()
                let r = network.forward(tape: tape, inputs: shards[k].inputs[session], rng: &rng[k], training: false, sample: true,
                                        weights: weights, session: session)
                let w = Double(ranges[k].count)
                out[k] = (r.reconHeldIn * w, (r.reconHeldOut ?? 0) * w)
            }
        }}
        return (sums.reduce(0) { $0 + $1.0 }, sums.reduce(0) { $0 + $1.1 }, Double(idx.count))
    }

    /// Posterior samples of one batch spread over the shards (threads > 1): the batch is cut into one
    /// chunk of trials per shard (as in training, so no shard holds more than its share of the batch);
    /// each shard runs its chunk's encoders once and all `samples` passes with a stream split off `rng` in
    /// shard order. Returns each chunk's trials with the capture of its sums.
    func shardedPosteriorSamples(_ arrays: SplitArrays, trials idx: [Int], samples: Int, sample: Bool, rng: inout Rng,
                                 session: Int, config c: LFADSConfig) -> [(trials: [Int], capture: OutputCapture)] {
        let chunks = Parallel.chunks(idx.count, parts: shards.count).filter { !$0.isEmpty }.map { Array(idx[$0]) }
        var rngs = chunks.map { _ in rng.split() }
        let captures = chunks.map { OutputCapture(config: c, batch: $0.count) }
        for (k, chunk) in chunks.enumerated() { shards[k].inputs[session].load(arrays, trials: chunk) }
        let restore = inferenceMode()
        defer { restore() }
        rngs.withUnsafeMutableBufferPointer { rng in
            Parallel.forEach(chunks.count) { k in
                samplePasses(tape: shards[k].tape, inputs: shards[k].inputs[session], samples: samples, sample: sample,
                             rng: &rng[k], into: captures[k], session: session)
            }
        }
        return zip(chunks, captures).map { ($0, $1) }
    }
}
