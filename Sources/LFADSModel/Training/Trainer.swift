import Engine
import Foundation
import LFADSData

/// Trains one LFADS model on one dataset: epochs of shuffled minibatches with coordinated
/// dropout, sample validation, spike jitter, temporal shift, KL/L2 ramps, Adam with global-norm clipping,
/// validation with a smoothed metric, LR plateau schedule and early stopping; checkpoints
/// that resume bit-for-bit. This is the API the PBT runtime drives.
public final class Trainer {
    public private(set) var config: LFADSConfig
    public let network: LFADSNetwork
    let optimizer: Adam
    let tape: Tape
    /// Per-session data, masks and batch buffers (one entry unless stitched).
    let sessions: [SessionData]
    /// Data-parallel shards, one per thread; shard 0 is `tape` with the sessions' buffers.
    let shards: [Shard]
    var jitterScratch: [Float] = []
    /// Batching, CD masks, jitter and temporal shifts.
    var dataRNG: Rng
    /// Dropout and posterior samples during training.
    var modelRNG: Rng
    /// Completed epochs.
    public internal(set) var epoch = 0
    public internal(set) var history: TrainingHistory
    /// Records of the epochs run by this instance (not restored from checkpoints).
    public private(set) var records: [EpochRecord] = []
    /// Valid recon of each session in the last epoch (the epoch's valid metric is their mean).
    public private(set) var lastSessionValid: [Double] = []
    /// Global gradient norm before clipping of the last optimisation step (0 before the first).
    public private(set) var lastGradNorm: Float = 0

    /// Session 0's arrays, masks and buffers (all of them for an unstitched model).
    var train: SplitArrays { sessions[0].train }
    var valid: SplitArrays { sessions[0].valid }
    var svTrain: SampleValidationMask { sessions[0].svTrain }
    var svValid: SampleValidationMask { sessions[0].svValid }
    var inputs: BatchInputs { sessions[0].inputs }

    /// Builds the model for `dataset` (data dimensions left at 0 in `config` are filled in) to train on
    /// `threads` threads (default: the config's `threads`): one thread runs every step on the calling
    /// thread; N > 1 split every batch, validation batch and posterior sampling into N data-parallel
    /// shards run at once (results are deterministic for a given seed and thread count). BLAS is set to
    /// one thread either way.
    /// - Throws: `ConfigError` for invalid or mismatching settings, `TrainingError.badData` for
    ///   a dataset without train and valid trials.
    public convenience init(config: LFADSConfig, dataset: LFADSDataset, threads: Int? = nil) throws {
        try self.init(config: config, datasets: [dataset], threads: threads)
    }

    /// Builds a model stitched across `datasets` (one per session; one dataset =
    /// the plain model). `names` label the sessions in errors (usually the file paths).
    /// - Throws: `ConfigError` when sessions disagree on bins or the config on dimensions,
    ///   `TrainingError.badData` for a session without train and valid trials,
    ///   `StitchingError` when the alignment initialisation cannot be computed.
    public init(config: LFADSConfig, datasets: [LFADSDataset], names: [String]? = nil, threads: Int? = nil) throws {
        let c = try config.resolved(for: datasets, names: names)
        var splits: [(LFADSSplit, LFADSSplit)] = []
        for (i, dataset) in datasets.enumerated() {
            guard let trainSplit = dataset.train, trainSplit.trialCount > 0,
                  let validSplit = dataset.valid, validSplit.trialCount > 0 else {
                let which = datasets.count > 1 ? "session \(i)" + (names.map { " (\($0[i]))" } ?? "") + ": " : ""
                throw TrainingError.badData(which + "the data file needs non-empty train and valid splits to train")
            }
            splits.append((trainSplit, validSplit))
        }
        self.config = c
        BLASThreads.set(1)
        network = LFADSNetwork(config: c, seed: UInt64(c.seed))
        optimizer = Adam(store: network.store, learningRate: Float(c.lrInit), beta1: Float(c.lrAdamBeta1),
                         beta2: Float(c.lrAdamBeta2), epsilon: Float(c.lrAdamEpsilon), weightDecay: 0, decoupled: true)
        tape = Tape(store: network.store)
        sessions = try splits.enumerated().map { i, s in try SessionData(config: c.session(i), index: i, train: s.0, valid: s.1) }
        if c.isStitched && c.pcrInit { try network.initialiseStitching(datasets: datasets, names: names) }
        if c.readoutBiasFromData {
            for (i, s) in sessions.enumerated() { network.setReadoutBias(data: s.train.maskedRecon, neurons: s.config.reconDataDim, session: i) }
        }
        let first = Shard(tape: tape, inputs: sessions.map(\.inputs))
        shards = [first] + (1..<max(1, threads ?? c.threads)).map { [network, sessions] _ in Shard(store: network.store, sessions: sessions) }
        dataRNG = Rng(seed: UInt64(c.seed), stream: 1)
        modelRNG = Rng(seed: UInt64(c.seed), stream: 2)
        history = TrainingHistory(config: c)
    }

    /// Current learning rate (the plateau schedule's value).
    public var learningRate: Double { history.plateau.lr }

    /// True when early stopping, the LR floor or `max_epochs` says training is over.
    public var isFinished: Bool {
        epoch >= config.maxEpochs || history.plateau.exhausted
            || (history.earlyStopping.waited >= config.earlyStoppingPatience && epoch > config.rampEndEpoch + 1)
    }

    /// Trains up to `epochs` more epochs (fewer when `isFinished` becomes true) and returns the
    /// smoothed valid metric (`valid/recon_smth`; lower is better).
    /// - Parameter onEpoch: called after each epoch with its record.
    @discardableResult
    public func train(epochs: Int, onEpoch: ((EpochRecord) -> Void)? = nil) throws -> Double {
        for _ in 0..<epochs where !isFinished {
            let record = try runEpoch()
            onEpoch?(record)
        }
        return history.smoothedValid.value ?? .infinity
    }

    /// Runs one epoch of training and validation and returns its record.
    public func runEpoch() throws -> EpochRecord {
        let start = DispatchTime.now().uptimeNanoseconds
        let c = config
        let weights = LossWeights(rampL2: rampWeight(epoch: epoch, start: c.l2StartEpoch, increase: c.l2IncreaseEpoch),
                                  rampKL: rampWeight(epoch: epoch, start: c.klStartEpoch, increase: c.klIncreaseEpoch))
        optimizer.learningRate = Float(history.plateau.lr)
        optimizer.weightDecay = Float(c.weightDecay * weights.rampL2)

        var splits = sessions.map(\.train)
        if c.spikeJitterWidth > 0 || c.temporalShiftStd > 0 {
            for (i, s) in sessions.enumerated() {
                s.augmented.encod = s.train.encod; s.augmented.recon = s.train.recon; s.augmented.observed = s.train.observed
                if c.spikeJitterWidth > 0 {
                    SpikeJitter.apply(&s.augmented.encod, trials: s.train.trials, bins: c.encodSeqLen, neurons: s.config.encodDataDim,
                                      width: c.spikeJitterWidth, rng: &dataRNG, scratch: &jitterScratch)
                    SpikeJitter.apply(&s.augmented.recon, trials: s.train.trials, bins: c.reconSeqLen, neurons: s.config.reconDataDim,
                                      width: c.spikeJitterWidth, rng: &dataRNG, scratch: &jitterScratch)
                }
                if c.temporalShiftStd > 0 {
                    TemporalShift.apply(&s.augmented, encodBins: c.encodSeqLen, encodChannels: s.config.encodDataDim,
                                        reconBins: c.reconSeqLen, reconChannels: s.config.reconDataDim,
                                        std: c.temporalShiftStd, maxShift: c.temporalShiftMax, rng: &dataRNG, scratch: &jitterScratch)
                }
                splits[i] = s.augmented
            }
        }
        var sums = (recon: 0.0, klIc: 0.0, klCo: 0.0, l2: 0.0, n: 0.0)
        var norms = (sum: 0.0, max: 0.0, steps: 0.0)
        let steps: [[[Int]]] = c.isStitched
            ? Batching.sessionBatches(trials: sessions.map(\.train.trials), perSession: max(1, c.batchSize / sessions.count), rng: &dataRNG)
            : Batching.epochBatches(trials: train.trials, batchSize: c.batchSize, rng: &dataRNG).map { [$0] }
        for idx in steps {
            let r = try trainStep(splits, trials: idx, weights: weights)
            let w = Double(idx.reduce(0) { $0 + $1.count })
            sums.recon += r.reconHeldIn * w; sums.klIc += r.klIc * w; sums.klCo += r.klCo * w; sums.l2 += r.l2 * w; sums.n += w
            norms.sum += Double(lastGradNorm); norms.max = max(norms.max, Double(lastGradNorm)); norms.steps += 1
        }
        let perSession = sessions.indices.map { evaluate(sessions[$0].valid, sv: sessions[$0].svValid, weights: weights, session: $0) }
        lastSessionValid = perSession.map(\.0)
        let validRecon = perSession.count == 1 ? perSession[0].0 : perSession.reduce(0) { $0 + $1.0 } / Double(perSession.count)
        let validHeldOut = perSession[0].1.map { first in
            perSession.count == 1 ? first : perSession.reduce(0) { $0 + ($1.1 ?? 0) } / Double(perSession.count)
        }
        guard validRecon.isFinite else { throw TrainingError.nonFinite(epoch: epoch, what: "the validation loss") }
        let smoothed = history.smoothedValid.update(validRecon)
        history.plateau.step(metric: smoothed)
        _ = history.earlyStopping.update(epoch: epoch, metric: smoothed)
        if history.earlyStopping.isBest(epoch: epoch) { history.bestScore = smoothed }
        let n = max(sums.n, 1)
        let record = EpochRecord(epoch: epoch, trainRecon: sums.recon / n, validRecon: validRecon,
                                 validReconHeldOut: validHeldOut, trainKLIc: sums.klIc / n, trainKLCo: sums.klCo / n,
                                 trainL2: sums.l2 / n, rampKL: weights.rampKL, rampL2: weights.rampL2,
                                 smoothedValid: smoothed, learningRate: Double(optimizer.learningRate),
                                 seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                                 gradNorm: norms.sum / max(norms.steps, 1), gradNormMax: norms.max)
        epoch += 1
        records.append(record)
        return record
    }

    /// One optimisation step on trials `idx` of session 0: masks, forward, backward, clipping, Adam.
    @discardableResult
    func trainStep(_ split: SplitArrays, trials idx: [Int], weights: LossWeights) throws -> ForwardResult {
        try trainStep([split], trials: [idx], weights: weights)
    }

    /// One optimisation step on trials `idx[s]` of every session s. The loss is the mean of the
    /// sessions' losses: mean of per-session recon means, L2 once, KL averaged over the sessions.
    @discardableResult
    func trainStep(_ splits: [SplitArrays], trials idx: [[Int]], weights: LossWeights) throws -> ForwardResult {
        if shards.count > 1 { return try shardedTrainStep(splits, trials: idx, weights: weights) }
        tape.reset()
        var results: [ForwardResult] = []
        for s in idx.indices {
            prepare(splits[s], sv: sessions[s].svTrain, trials: idx[s], training: true, session: s)
            results.append(network.forward(tape: tape, inputs: sessions[s].inputs, rng: &modelRNG, training: true, sample: true,
                                           weights: weights, session: s))
        }
        let r = results.count == 1 ? results[0] : ForwardResult.mean(results, on: tape)
        guard tape.scalar(r.loss).isFinite else { throw TrainingError.nonFinite(epoch: epoch, what: "the training loss") }
        tape.backward(r.loss)
        try applyGradients()
        return r
    }

    /// Global-norm clipping of the store's gradients, then one Adam update.
    func applyGradients() throws {
        let norm = network.store.clipGradNorm(Float(config.maxGradNorm))
        lastGradNorm = norm
        guard norm.isFinite else { throw TrainingError.nonFinite(epoch: epoch, what: "the gradient norm") }
        optimizer.update(network.store)
    }

    /// Loads trials `idx` of a session into its batch buffers and applies SV (and, when
    /// training, CD) masks.
    /// `into` is the buffers to fill (default: the session's own, shard 0's).
    func prepare(_ split: SplitArrays, sv: SampleValidationMask, trials idx: [Int], training: Bool, session: Int = 0,
                 into target: BatchInputs? = nil) {
        let inputs = target ?? sessions[session].inputs, c = sessions[session].config
        inputs.load(split, trials: idx)
        if c.svRate > 0 {
            sv.inputScale(trials: idx, into: &inputs.inputScale)
            inputs.applyInputScale()
            sv.reconMask(trials: idx, reconBins: c.reconSeqLen, reconNeurons: c.reconDataDim, into: &inputs.lossMask)
        }
        if training && c.cdRate > 0 {
            CoordinatedDropout.draw(shape: inputs.batchShape, rate: c.cdRate, passRate: c.cdPassRate,
                                    icEncSeqLen: c.icEncSeqLen, rng: &dataRNG,
                                    inputScale: &inputs.inputScale, gradMask: &inputs.gradMask)
            inputs.applyInputScale()
        }
    }

    /// Mean valid recon of one session (SV held-in, and held-out when SV is on) in eval mode with
    /// posterior sampling from a per-epoch stream (so evaluation does not disturb the training RNGs).
    func evaluate(_ split: SplitArrays, sv: SampleValidationMask, weights: LossWeights, session: Int = 0) -> (Double, Double?) {
        var rng = Rng(seed: UInt64(config.seed), stream: 1_000_000 &+ UInt64(epoch) &+ (UInt64(session) << 32))
        tape.gradEnabled = false
        defer { tape.gradEnabled = true }
        var heldIn = 0.0, heldOut = 0.0, n = 0.0
        for idx in Batching.sequentialBatches(trials: split.trials, batchSize: config.batchSize) {
            if shards.count > 1 {
                let part = shardedEvaluate(split, sv: sv, trials: idx, weights: weights, rng: &rng, session: session)
                heldIn += part.heldIn; heldOut += part.heldOut; n += part.trials
                continue
            }
            prepare(split, sv: sv, trials: idx, training: false, session: session)
            tape.reset()
            let r = network.forward(tape: tape, inputs: sessions[session].inputs, rng: &rng, training: false, sample: true,
                                    weights: weights, session: session)
            let w = Double(idx.count)
            heldIn += r.reconHeldIn * w; heldOut += (r.reconHeldOut ?? 0) * w; n += w
        }
        return (heldIn / n, config.svRate > 0 ? heldOut / n : nil)
    }
}
