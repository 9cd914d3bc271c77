import Foundation
import LFADSMetrics

extension Trainer {
    /// Held-out neurons of the validation split (lfads-torch convention: recon neurons beyond the
    /// encoder's), scored as the NLB co-smoothing metric: bits/spike of the predicted rates of the
    /// held-out neurons over the encoder window, against each held-out neuron's mean count.
    /// The rates come from one deterministic pass with the posterior means (no sampling), so the
    /// number depends only on the weights. Session 0 of a stitched model.
    /// - Throws: `TrainingError.badData` when the data has no held-out neurons.
    public func validCoBitsPerSpike() throws -> Double {
        let c = sessions[0].config
        let heldIn = c.encodDataDim, all = c.reconDataDim, bins = c.encodSeqLen
        guard all > heldIn else {
            throw TrainingError.badData("the data has no held-out neurons (recon_data has \(all) channels, encod_data \(heldIn)); valid_cobps needs lfads-torch data with held-out neurons")
        }
        let split = sessions[0].valid
        let rates = posteriorOutputs(split, samples: 1, sample: false, seedStream: 0, session: 0)
        guard let r = rates.arrays["output_params"] else { throw TrainingError.badData("the model produced no rates") }
        let reconBins = c.reconSeqLen, width = r.shape.last ?? all
        var counts: [Double] = [], predicted: [Double] = []
        counts.reserveCapacity(split.trials * bins * (all - heldIn))
        predicted.reserveCapacity(counts.capacity)
        let recon = split.maskedRecon
        for trial in 0..<split.trials {
            for t in 0..<bins {
                let rowCounts = (trial * reconBins + t) * all, rowRates = (trial * reconBins + t) * width
                for n in heldIn..<all {
                    counts.append(Double(recon[rowCounts + n]))
                    predicted.append(Double(r.values[rowRates + n]))
                }
            }
        }
        // The same function as `autolfads evaluate`'s co-bps (nlb_tools' definition).
        return try NLBMetrics.bitsPerSpike(rates: predicted, spikes: counts, channels: all - heldIn)
    }
}
