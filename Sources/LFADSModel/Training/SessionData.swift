import LFADSData

/// One session's training data, sample-validation masks and batch buffers. `config` is the
/// session's single-session view (its neuron counts in `encod_data_dim`/`recon_data_dim`).
final class SessionData {
    let config: LFADSConfig
    let train: SplitArrays, valid: SplitArrays
    let svTrain: SampleValidationMask, svValid: SampleValidationMask
    /// Augmented (spike-jittered and/or temporally shifted) copy of `train`, refreshed every
    /// epoch when an augmentation is on.
    var augmented: SplitArrays
    let inputs: BatchInputs

    /// SV masks of session `index` use streams 2·index (train) and 2·index + 1 (valid).
    init(config c: LFADSConfig, index: Int, train trainSplit: LFADSSplit, valid validSplit: LFADSSplit) throws {
        config = c
        train = try SplitArrays(trainSplit, reconBins: c.reconSeqLen, reconNeurons: c.reconDataDim, extDim: c.extInputDim,
                                allowMissing: c.allowMissing)
        valid = try SplitArrays(validSplit, reconBins: c.reconSeqLen, reconNeurons: c.reconDataDim, extDim: c.extInputDim,
                                allowMissing: c.allowMissing)
        augmented = train
        let stream = UInt64(2 * index)
        svTrain = SampleValidationMask(trials: train.trials, bins: c.encodSeqLen, neurons: c.encodDataDim,
                                       rate: c.svRate, seed: c.svSeed, stream: stream)
        svValid = SampleValidationMask(trials: valid.trials, bins: c.encodSeqLen, neurons: c.encodDataDim,
                                       rate: c.svRate, seed: c.svSeed, stream: stream + 1)
        inputs = BatchInputs(encodBins: c.encodSeqLen, encodNeurons: c.encodDataDim, reconBins: c.reconSeqLen,
                             reconNeurons: c.reconDataDim, extDim: c.extInputDim)
    }
}
