import Engine
import Foundation

/// The LFADS parameters in one `ParameterStore`: linear weights N(0, 1/fan-in), biases 0, GRUs as `GRUWeights`, priors at their configured values.
/// Readin is the identity (encoders read the N_enc held-in neurons) or, with `readin_dim` > 0,
/// a Linear(N_enc → readin_dim). A stitched model (several sessions) shares everything but the
/// per-session readin, readout and ZIG scales (`session<i>.readin.w`, `session<i>.readout.b`, …).
public final class LFADSNetwork {
    public let config: LFADSConfig
    public let store: ParameterStore

    /// Per-session parameters (one entry for an unstitched model).
    let heads: [SessionHead]
    let icEncFwd, icEncBwd: GRUWeights
    let icEncH0Fwd, icEncH0Bwd: Param
    let icLinearW, icLinearB: Param
    let icPriorMean: Param
    let g0W, g0B: Param
    let gen: GRUWeights
    let facW: Param
    /// Controller parts (nil without a controller).
    let controller: ControllerParams?

    struct ControllerParams {
        let ciEncFwd, ciEncBwd: GRUWeights
        let ciEncH0Fwd, ciEncH0Bwd: Param
        let con: GRUWeights
        let conH0: Param
        let coLinearW, coLinearB: Param
        let coLogTau, coLogNvar: Param
    }

    /// Builds and initialises the network for a resolved config (data dimensions filled in).
    public init(config c: LFADSConfig, seed: UInt64) {
        precondition(c.isStitched || (c.encodDataDim > 0 && c.reconDataDim > 0), "LFADSNetwork needs a resolved config")
        config = c
        let store = ParameterStore()
        self.store = store
        var rng = Rng(seed: seed, stream: 0x1A17)
        let clip = Float(c.cellClip)
        func linear(_ name: String, _ inSize: Int, _ outSize: Int, bias: Bool = true) -> (Param, Param?) {
            let w = store.add("\(name).w", rows: outSize, cols: inSize, init: .fanNormal(fan: inSize), rng: &rng)
            let b = bias ? store.add("\(name).b", rows: 1, cols: outSize, init: .zeros) : nil
            return (w, b)
        }
        let sessions = (0..<c.sessionCount).map { c.session($0) }
        func prefix(_ i: Int) -> String { c.isStitched ? "session\(i)." : "" }
        let readins: [(Param, Param)?] = sessions.enumerated().map { i, s in
            guard c.readinDim > 0 else { return nil }
            let (w, b) = linear(prefix(i) + "readin", s.encodDataDim, c.readinDim)
            return (w, b!)
        }
        let encIn = c.readinDim > 0 ? c.readinDim : c.encodDataDim
        icEncFwd = GRUWeights(store: store, name: "ic_enc.fwd", inputSize: encIn, hiddenSize: c.icEncDim,
                              fan: .encoder, clip: clip, rng: &rng)
        icEncBwd = GRUWeights(store: store, name: "ic_enc.bwd", inputSize: encIn, hiddenSize: c.icEncDim,
                              fan: .encoder, clip: clip, rng: &rng)
        icEncH0Fwd = store.add("ic_enc.h0_fwd", rows: 1, cols: c.icEncDim)
        icEncH0Bwd = store.add("ic_enc.h0_bwd", rows: 1, cols: c.icEncDim)
        (icLinearW, icLinearB) = { let (w, b) = linear("ic_linear", 2 * c.icEncDim, 2 * c.icDim); return (w, b!) }()
        icPriorMean = store.add("ic_prior.mean", rows: 1, cols: c.icDim)
        if c.hasController {
            let ciFwd = GRUWeights(store: store, name: "ci_enc.fwd", inputSize: encIn, hiddenSize: c.ciEncDim,
                                   fan: .encoder, clip: clip, rng: &rng)
            let ciBwd = GRUWeights(store: store, name: "ci_enc.bwd", inputSize: encIn, hiddenSize: c.ciEncDim,
                                   fan: .encoder, clip: clip, rng: &rng)
            let h0f = store.add("ci_enc.h0_fwd", rows: 1, cols: c.ciEncDim)
            let h0b = store.add("ci_enc.h0_bwd", rows: 1, cols: c.ciEncDim)
            let con = GRUWeights(store: store, name: "con", inputSize: 2 * c.ciEncDim + c.facDim, hiddenSize: c.conDim,
                                 fan: .decoder, clip: clip, rng: &rng)
            let conH0 = store.add("con.h0", rows: 1, cols: c.conDim)
            let (cw, cb) = linear("co_linear", c.conDim, 2 * c.coDim)
            let logTau = store.add("co_prior.log_tau", rows: 1, cols: c.coDim, init: .constant(Float(Foundation.log(c.coPriorTau))))
            let logNvar = store.add("co_prior.log_nvar", rows: 1, cols: c.coDim, init: .constant(Float(Foundation.log(c.coPriorNvar))))
            controller = ControllerParams(ciEncFwd: ciFwd, ciEncBwd: ciBwd, ciEncH0Fwd: h0f, ciEncH0Bwd: h0b, con: con,
                                          conH0: conH0, coLinearW: cw, coLinearB: cb!, coLogTau: logTau, coLogNvar: logNvar)
        } else {
            controller = nil
        }
        (g0W, g0B) = { let (w, b) = linear("ic_to_g0", c.icDim, c.genDim); return (w, b!) }()
        gen = GRUWeights(store: store, name: "gen", inputSize: (c.hasController ? c.coDim : 0) + c.extInputDim,
                         hiddenSize: c.genDim, fan: .decoder, clip: clip, rng: &rng)
        facW = linear("fac_linear", c.genDim, c.facDim, bias: false).0
        let readouts = sessions.enumerated().map { i, s in
            let (w, b) = linear(prefix(i) + "readout", c.facDim, s.reconDataDim * c.reconstruction.parameterCount)
            return (w, b!)
        }
        heads = sessions.enumerated().map { i, s in
            let n = s.reconDataDim
            let extra = c.reconstruction.likelihood.extraParameters(store: store, prefix: prefix(i), neurons: n, config: c)
            return SessionHead(encodNeurons: s.encodDataDim, reconNeurons: n, readin: readins[i],
                               readoutW: readouts[i].0, readoutB: readouts[i].1, observationParameters: extra)
        }
        if c.isStitched && !c.doTrainReadin {
            for h in heads { if let r = h.readin { store.setTrainable(r.w, false); store.setTrainable(r.b, false) } }
        }
    }

    /// Session 0's parameters (the only ones of an unstitched model).
    var readin: (w: Param, b: Param)? { heads[0].readin }
    var readoutW: Param { heads[0].readoutW }
    var readoutB: Param { heads[0].readoutB }

    /// Recurrent kernels with their L2 scales (only those with scale > 0 count in the L2 penalty).
    var l2Kernels: [(Param, Double)] {
        var k: [(Param, Double)] = [(icEncFwd.whh, config.l2IcEncScale), (icEncBwd.whh, config.l2IcEncScale),
                                    (gen.whh, config.l2GenScale)]
        if let ctl = controller {
            k += [(ctl.ciEncFwd.whh, config.l2CiEncScale), (ctl.ciEncBwd.whh, config.l2CiEncScale),
                  (ctl.con.whh, config.l2ConScale)]
        }
        return k.filter { $0.1 > 0 }
    }
}

/// One session's own parameters and neuron counts.
struct SessionHead {
    let encodNeurons: Int, reconNeurons: Int
    /// Linear readin (weight readin_dim×N_enc, bias), nil for the identity.
    let readin: (w: Param, b: Param)?
    let readoutW, readoutB: Param
    /// The observation model's own per-session parameters (`ObservationLikelihood.extraParameters`, e.g.
    /// the zero-inflated Gamma's scales of α and β); empty for most.
    let observationParameters: [Param]
}
