import LFADSData

extension SplitArrays {
    /// The arrays of `split` as the trainer reads them; recon defaults to the encoder data
    /// (original convention) or zeros (an lfads-torch test split has no recon data).
    /// NaN (missing data) is masked when `allowMissing`, an error otherwise.
    init(_ split: LFADSSplit, reconBins: Int, reconNeurons: Int, extDim: Int, allowMissing: Bool = false) throws {
        let recon = split.recon?.values ?? (split.encod.time == reconBins && split.encod.channels == reconNeurons
            ? split.encod.values : [Float](repeating: 0, count: split.trialCount * reconBins * reconNeurons))
        var ext: [Float] = [], extBins = 0
        if extDim > 0 {
            guard let e = split.extInput else { throw TrainingError.badData("a split has no ext_input while others do; give every split the same keys") }
            guard e.time <= reconBins else {
                throw TrainingError.badData("ext_input has \(e.time) bins but recon data has \(reconBins); trim ext_input to the recon length")
            }
            ext = e.values; extBins = e.time
        }
        self.init(trials: split.trialCount, encod: split.encod.values, recon: recon, ext: ext, extBins: extBins)
        if !allowMissing && (encod.contains(where: \.isNaN) || recon.contains(where: \.isNaN)) {
            throw TrainingError.badData("the data contains NaN (missing entries); set allow_missing: true to mask them (selective backprop through time)")
        }
        maskMissing()
    }
}

extension LFADSConfig {
    /// The config with data dimensions read from `dataset` (see `resolved(encodDataDim:…)`).
    public func resolved(for dataset: LFADSDataset) throws -> LFADSConfig {
        try resolved(encodDataDim: dataset.encodNeurons, encodSeqLen: dataset.encodTime,
                     reconDataDim: dataset.reconNeurons, reconSeqLen: dataset.reconTime,
                     extInputDim: dataset.extInputDim)
    }
}
