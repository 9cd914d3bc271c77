import Engine

extension LFADSNetwork {
    /// The observation model's distribution parameters from the readout output (B×N·k, parameter j in
    /// columns j·N..<(j+1)·N), as its likelihood uses them (`ObservationLikelihood.distribution`).
    func distributionParams(tape: Tape, readout out: Tensor, head: SessionHead) -> [Tensor] {
        let n = head.reconNeurons
        let raw = (0..<config.reconstruction.parameterCount).map { tape.sliceCols(out, start: $0 * n, count: n) }
        return config.reconstruction.likelihood.distribution(tape: tape, raw: raw, extra: head.observationParameters)
    }

    /// Element-wise NLL of target `y` under the distribution `params`.
    func observationNLL(tape: Tape, params p: [Tensor], target y: Tensor, gradientMask gm: Tensor?) -> Tensor {
        config.reconstruction.likelihood.nll(tape: tape, params: p, target: y, gradientMask: gm, config: config)
    }

    /// The observation model's own loss term for one session (e.g. the ZIG scale penalty), nil when none.
    func observationPenalty(tape: Tape, head: SessionHead) -> Tensor? {
        config.reconstruction.likelihood.penalty(tape: tape, extra: head.observationParameters, config: config)
    }
}
