import Engine
import Foundation

/// The LFADS parameters (LFADS_SPEC §1) in one `ParameterStore`, initialised per §1.2.
/// Readin is the identity (encoders read the N_enc held-in neurons) or, with `readin_dim` > 0,
/// a Linear(N_enc → readin_dim).
public final class LFADSNetwork {
    public let config: LFADSConfig
    public let store: ParameterStore

    /// Optional linear readin (weight, bias).
    let readin: (w: Param, b: Param)?
    let icEncFwd, icEncBwd: GRUWeights
    let icEncH0Fwd, icEncH0Bwd: Param
    let icLinearW, icLinearB: Param
    let icPriorMean: Param
    let g0W, g0B: Param
    let gen: GRUWeights
    let facW: Param
    let readoutW, readoutB: Param
    /// Zero-inflated Gamma per-neuron scales of α and β (nil for other observation models).
    let zigScale: (alpha: Param, beta: Param)?
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
        precondition(c.encodDataDim > 0 && c.reconDataDim > 0, "LFADSNetwork needs a resolved config")
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
        if c.readinDim > 0 {
            let (w, b) = linear("readin", c.encodDataDim, c.readinDim)
            readin = (w, b!)
        } else {
            readin = nil
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
        let outputs = c.reconDataDim * c.reconstruction.parameterCount
        (readoutW, readoutB) = { let (w, b) = linear("readout", c.facDim, outputs); return (w, b!) }()
        if c.reconstruction == .zig {
            zigScale = (store.add("zig.scale_alpha", rows: 1, cols: c.reconDataDim, init: .constant(Float(c.scaleInit))),
                        store.add("zig.scale_beta", rows: 1, cols: c.reconDataDim, init: .constant(Float(c.scaleInit))))
        } else {
            zigScale = nil
        }
    }

    /// Recurrent kernels with their L2 scales (only those with scale > 0 count, LFADS_SPEC §1.6).
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
