import Engine
import Foundation
import Testing
@testable import LFADSModel

/// Data-parallel training (`threads` > 1): the summed shard gradient is the full batch's, and runs are
/// deterministic for a seed and thread count.
@Suite struct ShardTests {
    func config(threads: Int) -> LFADSConfig {
        var c = TrainerTests().smallConfig()
        c.maxGradNorm = 1e12   // no clipping: the store keeps the raw summed gradient
        c.threads = threads
        return c
    }

    /// One sharded step leaves in the store exactly Σ_k (B_k/B)·∇loss_k, each chunk's loss computed serially
    /// on a one-thread trainer with the same CD masks (data stream, chunk order) and model streams (split in
    /// shard order): coordinated dropout, dropout and posterior sampling all on.
    @Test func shardedGradientIsTheTrialWeightedSumOfTheChunks() throws {
        let data = try Fixtures.lorenz(conditions: 4, trialsPerCondition: 6, bins: 12, neurons: 8)
        let weights = LossWeights(rampL2: 1, rampKL: 1)
        let idx = Array(0..<7)   // 4 + 3 trials: unequal chunks
        let sharded = try Trainer(config: config(threads: 2), dataset: data)
        #expect(sharded.shards.count == 2)
        try sharded.trainStep(sharded.train, trials: idx, weights: weights)

        let chunks = [Array(idx[0..<4]), Array(idx[4..<7])]
        let fresh = try Trainer(config: config(threads: 1), dataset: data)
        var rngs = [fresh.modelRNG.split(), fresh.modelRNG.split()]
        let tape = fresh.tape
        for (k, chunk) in chunks.enumerated() {
            fresh.prepare(fresh.train, sv: fresh.svTrain, trials: chunk, training: true)
            tape.reset()
            let r = fresh.network.forward(tape: tape, inputs: fresh.inputs, rng: &rngs[k], training: true, sample: true, weights: weights)
            tape.backward(tape.scale(r.loss, Float(chunk.count) / Float(idx.count)), zeroParamGrads: k == 0)
        }
        let a = sharded.network.store.grads, b = fresh.network.store.grads
        var diff = 0.0, norm = 0.0
        for i in 0..<a.count { diff += Double(a[i] - b[i]) * Double(a[i] - b[i]); norm += Double(b[i]) * Double(b[i]) }
        #expect(norm > 0)
        #expect(diff.squareRoot() <= 1e-5 * norm.squareRoot(), "relative gradient difference \(diff.squareRoot() / norm.squareRoot())")
    }

    @Test func shardedTrainingIsDeterministicAndLearns() throws {
        let data = try Fixtures.lorenz(conditions: 4, trialsPerCondition: 6, bins: 12, neurons: 8)
        let a = try Trainer(config: config(threads: 2), dataset: data)
        let b = try Trainer(config: config(threads: 2), dataset: data)
        let one = try Trainer(config: config(threads: 1), dataset: data)
        let first = try a.runEpoch().validRecon
        try a.train(epochs: 7); try b.train(epochs: 8); try one.train(epochs: 8)
        #expect(Array(a.network.store.values) == Array(b.network.store.values))
        #expect(a.records.last!.validRecon == b.records.last!.validRecon)
        // It learns as the one-thread trainer does (same objective, other random draws).
        let last = a.records.last!.validRecon, reference = one.records.last!.validRecon
        #expect(last < first)
        #expect(abs(last - reference) <= 0.05 * reference, "2 threads \(last), 1 thread \(reference)")
    }

    /// Posterior sampling in chunks of trials over the shards: with the posterior means every sample is the
    /// same pass, so the mean over 4 samples on 2 threads equals one thread's.
    @Test func shardedPosteriorMatchesOneThreadWithoutSampling() throws {
        let data = try Fixtures.lorenz(conditions: 4, trialsPerCondition: 6, bins: 12, neurons: 8)
        let two = try Trainer(config: config(threads: 2), dataset: data)
        let one = try Trainer(config: config(threads: 1), dataset: data)
        let x = two.posteriorOutputs(two.valid, samples: 4, sample: false, seedStream: 0, session: 0)
        let y = one.posteriorOutputs(one.valid, samples: 4, sample: false, seedStream: 0, session: 0)
        #expect(Set(x.arrays.keys) == Set(y.arrays.keys) && !x.arrays.isEmpty)
        for (name, a) in x.arrays {
            let b = y.arrays[name]!
            #expect(a.shape == b.shape)
            let worst = zip(a.values, b.values).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(worst <= 1e-5, "\(name): worst relative difference \(worst)")
        }
        // With sampling: deterministic for the seed and thread count, and different from one thread's draws.
        let s1 = try two.posteriorOutputs(data.valid!, samples: 6).arrays["output_params"]!.values
        let s2 = try two.posteriorOutputs(data.valid!, samples: 6).arrays["output_params"]!.values
        let s3 = try one.posteriorOutputs(data.valid!, samples: 6).arrays["output_params"]!.values
        #expect(s1 == s2 && s1 != s3)
    }

    /// Posterior sampling runs the encoders once per batch and rewinds the tape to them for every sample:
    /// on one thread the outputs are bit-identical to full forward passes with the same stream.
    @Test func reusedEncodersGiveExactlyTheFullPassesOutputs() throws {
        let data = try Fixtures.lorenz(conditions: 4, trialsPerCondition: 6, bins: 12, neurons: 8)
        let t = try Trainer(config: config(threads: 1), dataset: data)
        try t.train(epochs: 2)
        let split = t.valid, samples = 5
        #expect(split.trials <= t.config.batchSize, "one batch")
        let fast = t.posteriorOutputs(split, samples: samples, sample: true, seedStream: 3, session: 0)
        // Reference: what posterior sampling did before, a full pass per sample.
        var rng = Rng(seed: UInt64(t.config.seed), stream: 2_000_000 &+ 3)
        let idx = Array(0..<split.trials)
        t.inputs.load(split, trials: idx)
        let capture = OutputCapture(config: t.config, batch: idx.count)
        t.tape.gradEnabled = false
        for _ in 0..<samples {
            t.tape.reset()
            _ = t.network.forward(tape: t.tape, inputs: t.inputs, rng: &rng, training: false, sample: true,
                                  weights: LossWeights(rampL2: 0, rampKL: 0), capture: capture)
        }
        t.tape.gradEnabled = true
        for name in ["output_params", "factors", "gen_states", "co_means", "ic_mean"] {
            let reference = capture.sums[name]!.map { $0 * (1 / Float(samples)) }
            var expected = [Float](repeating: 0, count: fast.arrays[name]!.values.count)
            if fast.arrays[name]!.shape.count == 3 {
                Batching.scatterTrialMajor(reference, trials: idx, bins: t.config.reconSeqLen, features: fast.arrays[name]!.shape[2], into: &expected)
            } else {
                expected = reference
            }
            #expect(fast.arrays[name]!.values == expected, "\(name) differs from full passes")
        }
    }

    /// Checkpoints hold the data and model streams the shards split theirs from, so a resumed two-thread run
    /// continues bit for bit.
    @Test func shardedResumeIsBitForBit() throws {
        let data = try Fixtures.lorenz(conditions: 4, trialsPerCondition: 6, bins: 12, neurons: 8)
        let straight = try Trainer(config: config(threads: 2), dataset: data)
        try straight.train(epochs: 4)
        let first = try Trainer(config: config(threads: 2), dataset: data)
        try first.train(epochs: 2)
        let path = Fixtures.tempDir() + "/sharded.ckpt"
        try first.saveCheckpoint(to: path)
        let resumed = try Trainer.resuming(from: path, dataset: data, threads: 2)
        try resumed.train(epochs: 2)
        #expect(resumed.network.store.snapshotValues() == straight.network.store.snapshotValues())
    }

    /// A stitched model (two Lorenz sessions of different sizes, PCR-initialised readins) trains on two threads:
    /// deterministic, finite, and learning.
    @Test func stitchedModelTrainsOnTwoThreads() throws {
        let data = try StitchingTests.lorenzSessions()
        var c = config(threads: 2)
        c.readinDim = 4; c.svRate = 0.1
        let x = try Trainer(config: c, datasets: data)
        let y = try Trainer(config: c, datasets: data)
        #expect(x.shards.count == 2)
        let first = try x.runEpoch().validRecon
        try x.train(epochs: 3); try y.train(epochs: 4)
        #expect(Array(x.network.store.values) == Array(y.network.store.values))
        #expect(x.records.last!.validRecon.isFinite && x.records.last!.validRecon < first)
    }
}
