import Engine
import Foundation
import LFADSData

/// Trains one LFADS model on one dataset: epochs of shuffled minibatches with coordinated
/// dropout, sample validation, spike jitter, KL/L2 ramps, Adam with global-norm clipping,
/// validation with a smoothed metric, LR plateau schedule and early stopping; checkpoints
/// that resume bit-for-bit. This is the API the PBT runtime drives.
public final class Trainer {
    public private(set) var config: LFADSConfig
    public let network: LFADSNetwork
    let optimizer: Adam
    let tape: Tape
    let train: SplitArrays, valid: SplitArrays
    let svTrain: SampleValidationMask, svValid: SampleValidationMask
    var jittered: SplitArrays
    var jitterScratch: [Float] = []
    let inputs: BatchInputs
    /// Batching, CD masks and jitter.
    var dataRNG: Rng
    /// Dropout and posterior samples during training.
    var modelRNG: Rng
    /// Completed epochs.
    public internal(set) var epoch = 0
    public internal(set) var history: TrainingHistory
    /// Records of the epochs run by this instance (not restored from checkpoints).
    public private(set) var records: [EpochRecord] = []

    /// Builds the model for `dataset` (data dimensions left at 0 in `config` are filled in) and
    /// sets BLAS to `threads` threads.
    /// - Throws: `ConfigError` for invalid or mismatching settings, `TrainingError.badData` for
    ///   a dataset without train and valid trials.
    public init(config: LFADSConfig, dataset: LFADSDataset, threads: Int? = nil) throws {
        let c = try config.resolved(for: dataset)
        guard let trainSplit = dataset.train, trainSplit.trialCount > 0,
              let validSplit = dataset.valid, validSplit.trialCount > 0 else {
            throw TrainingError.badData("the data file needs non-empty train and valid splits to train")
        }
        guard trainSplit.trialCount >= 1 else { throw TrainingError.badData("no training trials") }
        self.config = c
        BLASThreads.set(threads ?? c.threads)
        network = LFADSNetwork(config: c, seed: UInt64(c.seed))
        optimizer = Adam(store: network.store, learningRate: Float(c.lrInit), beta1: Float(c.lrAdamBeta1),
                         beta2: Float(c.lrAdamBeta2), epsilon: Float(c.lrAdamEpsilon), weightDecay: 0, decoupled: true)
        tape = Tape(store: network.store)
        train = try SplitArrays(trainSplit, reconBins: c.reconSeqLen, reconNeurons: c.reconDataDim, extDim: c.extInputDim, allowMissing: c.allowMissing == 1)
        valid = try SplitArrays(validSplit, reconBins: c.reconSeqLen, reconNeurons: c.reconDataDim, extDim: c.extInputDim,
                                allowMissing: c.allowMissing == 1)
        jittered = train
        svTrain = SampleValidationMask(trials: train.trials, bins: c.encodSeqLen, neurons: c.encodDataDim,
                                       rate: c.svRate, seed: c.svSeed, stream: 0)
        svValid = SampleValidationMask(trials: valid.trials, bins: c.encodSeqLen, neurons: c.encodDataDim,
                                       rate: c.svRate, seed: c.svSeed, stream: 1)
        inputs = BatchInputs(encodBins: c.encodSeqLen, encodNeurons: c.encodDataDim, reconBins: c.reconSeqLen,
                             reconNeurons: c.reconDataDim, extDim: c.extInputDim)
        if c.readoutBiasFromData == 1 { network.setReadoutBias(data: train.maskedRecon, neurons: c.reconDataDim) }
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

        var split = train
        if c.spikeJitterWidth > 0 {
            jittered.encod = train.encod; jittered.recon = train.recon
            SpikeJitter.apply(&jittered.encod, trials: train.trials, bins: c.encodSeqLen, neurons: c.encodDataDim,
                              width: c.spikeJitterWidth, rng: &dataRNG, scratch: &jitterScratch)
            SpikeJitter.apply(&jittered.recon, trials: train.trials, bins: c.reconSeqLen, neurons: c.reconDataDim,
                              width: c.spikeJitterWidth, rng: &dataRNG, scratch: &jitterScratch)
            split = jittered
        }
        var sums = (recon: 0.0, klIc: 0.0, klCo: 0.0, l2: 0.0, n: 0.0)
        for idx in Batching.epochBatches(trials: train.trials, batchSize: c.batchSize, rng: &dataRNG) {
            let r = try trainStep(split, trials: idx, weights: weights)
            let w = Double(idx.count)
            sums.recon += r.reconHeldIn * w; sums.klIc += r.klIc * w; sums.klCo += r.klCo * w; sums.l2 += r.l2 * w; sums.n += w
        }
        let (validRecon, validHeldOut) = evaluate(valid, sv: svValid, weights: weights)
        guard validRecon.isFinite else { throw TrainingError.nonFinite(epoch: epoch, what: "the validation loss") }
        let smoothed = history.smoothedValid.update(validRecon)
        history.plateau.step(metric: smoothed)
        _ = history.earlyStopping.update(epoch: epoch, metric: smoothed)
        history.bestScore = min(history.bestScore, smoothed)
        let n = max(sums.n, 1)
        let record = EpochRecord(epoch: epoch, trainRecon: sums.recon / n, validRecon: validRecon,
                                 validReconHeldOut: validHeldOut, trainKLIc: sums.klIc / n, trainKLCo: sums.klCo / n,
                                 trainL2: sums.l2 / n, rampKL: weights.rampKL, rampL2: weights.rampL2,
                                 smoothedValid: smoothed, learningRate: Double(optimizer.learningRate),
                                 seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        epoch += 1
        records.append(record)
        return record
    }

    /// One optimisation step on trials `idx`: masks, forward, backward, clipping, Adam.
    @discardableResult
    func trainStep(_ split: SplitArrays, trials idx: [Int], weights: LossWeights) throws -> ForwardResult {
        prepare(split, sv: svTrain, trials: idx, training: true)
        tape.reset()
        let r = network.forward(tape: tape, inputs: inputs, rng: &modelRNG, training: true, sample: true, weights: weights)
        guard tape.scalar(r.loss).isFinite else { throw TrainingError.nonFinite(epoch: epoch, what: "the training loss") }
        tape.backward(r.loss)
        let norm = network.store.clipGradNorm(Float(config.maxGradNorm))
        guard norm.isFinite else { throw TrainingError.nonFinite(epoch: epoch, what: "the gradient norm") }
        optimizer.update(network.store)
        return r
    }

    /// Loads trials `idx` into the batch buffers and applies SV (and, when training, CD) masks.
    func prepare(_ split: SplitArrays, sv: SampleValidationMask, trials idx: [Int], training: Bool) {
        inputs.load(split, trials: idx)
        if config.svRate > 0 {
            sv.inputScale(trials: idx, into: &inputs.inputScale)
            inputs.applyInputScale()
            sv.reconMask(trials: idx, reconBins: config.reconSeqLen, reconNeurons: config.reconDataDim, into: &inputs.lossMask)
        }
        if training && config.cdRate > 0 {
            CoordinatedDropout.draw(shape: inputs.batchShape, rate: config.cdRate, passRate: config.cdPassRate,
                                    icEncSeqLen: config.icEncSeqLen, rng: &dataRNG,
                                    inputScale: &inputs.inputScale, gradMask: &inputs.gradMask)
            inputs.applyInputScale()
        }
    }

    /// Mean valid recon (SV held-in, and held-out when SV is on) in eval mode with posterior
    /// sampling from a per-epoch stream (so evaluation does not disturb the training RNGs).
    func evaluate(_ split: SplitArrays, sv: SampleValidationMask, weights: LossWeights) -> (Double, Double?) {
        var rng = Rng(seed: UInt64(config.seed), stream: 1_000_000 &+ UInt64(epoch))
        tape.gradEnabled = false
        defer { tape.gradEnabled = true }
        var heldIn = 0.0, heldOut = 0.0, n = 0.0
        for idx in Batching.sequentialBatches(trials: split.trials, batchSize: config.batchSize) {
            prepare(split, sv: sv, trials: idx, training: false)
            tape.reset()
            let r = network.forward(tape: tape, inputs: inputs, rng: &rng, training: false, sample: true, weights: weights)
            let w = Double(idx.count)
            heldIn += r.reconHeldIn * w; heldOut += (r.reconHeldOut ?? 0) * w; n += w
        }
        return (heldIn / n, config.svRate > 0 ? heldOut / n : nil)
    }
}
