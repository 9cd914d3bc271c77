import Engine

/// The parts of one pass's loss besides the reconstruction sum, as plain numbers.
struct LossParts {
    var loss: Tensor
    var l2: Double
    var klCo: Double
}

extension LFADSNetwork {
    /// The scaled loss `loss_scale·[recon + penalty + r_L2·L2 + r_KL·(kl_ic·KL_ic + kl_co·KL_co)]`:
    /// `reconTotal` (the masked NLL summed over steps) is divided by the observed elements and by
    /// 1 − sv_rate; the observation model's penalty (ZIG scales) is added when it has one; L2 is Σ s_k·½‖W_k‖² / Σ numel(W_k) over the
    /// recurrent kernels with a scale; KL_co is the controller's Monte Carlo KL summed over steps, per trial.
    func loss(tape: Tape, head: SessionHead, batch b: Int, reconTotal: Tensor, observedCount: Double, klIc: Tensor,
              klCoTotal: Tensor?, weights: LossWeights, terms: inout [Tensor], collectTerms: Bool) -> LossParts {
        let c = config
        var total = tape.scale(reconTotal, Float(1 / (max(observedCount, 1) * (1 - c.svRate))))
        if let penalty = observationPenalty(tape: tape, head: head) { total = tape.add(total, penalty) }
        var l2Value = 0.0
        let kernels = l2Kernels
        if !kernels.isEmpty && weights.rampL2 > 0 {
            let numel = Float(kernels.reduce(0) { $0 + $1.0.count })
            var l2: Tensor? = nil
            for (p, s) in kernels {
                let term = tape.scale(tape.sum(tape.square(tape.param(p))), Float(0.5 * s) / numel)
                l2 = l2.map { tape.add($0, term) } ?? term
            }
            l2Value = Double(tape.scalar(l2!))
            if collectTerms { terms.append(tape.add(tape.constant(rows: b, cols: 1, repeating: 0), l2!)) }
            total = tape.add(total, tape.scale(l2!, Float(weights.rampL2)))
        }
        var klCoValue = 0.0
        if weights.rampKL > 0 {
            var kl = tape.scale(klIc, Float(c.klIcScale))
            if let k = klCoTotal {
                let klCo = tape.scale(k, 1 / Float(b))
                klCoValue = Double(tape.scalar(klCo))
                kl = tape.add(kl, tape.scale(klCo, Float(c.klCoScale)))
            }
            total = tape.add(total, tape.scale(kl, Float(weights.rampKL)))
        } else if let k = klCoTotal {
            klCoValue = Double(tape.scalar(k)) / Double(b)
        }
        return LossParts(loss: tape.scale(total, Float(c.lossScale)), l2: l2Value, klCo: klCoValue)
    }
}
