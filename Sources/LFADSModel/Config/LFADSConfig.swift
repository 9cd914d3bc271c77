/// Every LFADS model and training hyperparameter, named after lfads-torch where a name exists.
///
/// Defaults describe a small, fast model sized for the bundled Lorenz benchmark (tens of neurons,
/// tens to a hundred bins): encoders 32 units, controller 16 units with 2 inferred inputs,
/// generator 64 units, 16 factors, batch 64, learning rate 4e-3, coordinated dropout 0.3,
/// KL/L2 ramps over 50 epochs, at most 200 epochs. Data dimensions left at 0 are taken from
/// the data file when training starts (`resolved(with:)`).
public struct LFADSConfig: Equatable, Sendable {
    // MARK: model
    /// Encoder input neurons (N_enc); 0 = from the data.
    public var encodDataDim = 0
    /// Encoder input bins (T_enc); 0 = from the data.
    public var encodSeqLen = 0
    /// Reconstructed neurons (N_recon ≥ N_enc, extra ones are held out); 0 = from the data.
    public var reconDataDim = 0
    /// Reconstructed bins (T_recon ≥ T_enc, extra ones are forward-prediction steps); 0 = from the data.
    public var reconSeqLen = 0
    /// Linear readin width (encoders read `readin_dim` features instead of N_enc); 0 = identity.
    public var readinDim = 0
    /// External input dimension per bin; 0 = none.
    public var extInputDim = 0
    /// Bins seen by the IC encoder (0 = all encoder bins).
    public var icEncSeqLen = 0
    /// Hidden size of each direction of the IC encoder.
    public var icEncDim = 32
    /// Hidden size of each direction of the controller-input encoder (0 = no controller).
    public var ciEncDim = 16
    /// Lag between the CI encoder and the controller.
    public var ciLag = 1
    /// Controller hidden size (0 = no controller).
    public var conDim = 16
    /// Inferred input (controller output) dimension (0 = no controller).
    public var coDim = 2
    /// Initial-condition latent dimension.
    public var icDim = 32
    /// Generator hidden size.
    public var genDim = 64
    /// Factor dimension.
    public var facDim = 16
    /// Dropout rate (inputs, encoder outputs, controller inputs, generator states before factors).
    public var dropoutRate = 0.05
    /// GRU state clip.
    public var cellClip = 5.0
    /// Fixed variance of the IC prior.
    public var icPriorVar = 0.1
    /// Variance floor added to the IC posterior.
    public var icPostVarMin = 1e-4
    /// Initial AR(1) time constant of the inferred-input prior (bins).
    public var coPriorTau = 10.0
    /// Initial AR(1) noise variance of the inferred-input prior.
    public var coPriorNvar = 0.1
    /// Start the readout bias at log(mean training count per neuron) (as LT's PCR init does with
    /// `readout_bias`); off = bias 0 (LT default without PCR). Low-rate data such as 10 ms Lorenz bins
    /// otherwise spends its first hundreds of steps lowering the bias.
    public var readoutBiasFromData = true
    /// Observation model of the reconstructed data (Poisson counts, or Gaussian / Gamma / ZIG for continuous data).
    public var reconstruction = ObservationModel.poisson
    /// Zero-inflated Gamma: offset of the non-zero values (y − gamma_loc is Gamma distributed).
    public var gammaLoc = 0.0
    /// Zero-inflated Gamma: initial per-neuron scale of α and β.
    public var scaleInit = 1.0
    /// Zero-inflated Gamma: value the scales are pulled towards.
    public var scalePrior = 1.0
    /// Zero-inflated Gamma: weight of the L2 pull `Σ (scale − scale_prior)²` (added to the loss).
    public var scalePenalty = 0.0
    /// NaN in the data marks missing entries (selective backprop through time); off = NaN is an error.
    public var allowMissing = false
    /// Multi-session stitching: held-in neurons of each session (one data file each); empty = one
    /// session. Filled from the data files like the other data dimensions.
    public var sessionEncodDims: [Int] = []
    /// Multi-session stitching: reconstructed neurons of each session; empty = one session.
    public var sessionReconDims: [Int] = []
    /// Multi-session: initialise each session's readin (and readout) by PCR alignment of smoothed
    /// condition averages, or from `alignment_matrix_cxf`/`readin_weight` in the files; off = random.
    public var pcrInit = true
    /// Multi-session: off freezes the per-session readins (lfads-torch freezes PCR readins).
    public var doTrainReadin = true

    // MARK: training
    public var batchSize = 64
    public var lrInit = 4e-3
    /// Training stops when ReduceLROnPlateau brings the learning rate to or below this.
    public var lrStop = 1e-5
    /// ReduceLROnPlateau factor; 1 turns the schedule off.
    public var lrDecay = 1.0
    public var lrPatience = 6
    public var lrAdamBeta1 = 0.9
    public var lrAdamBeta2 = 0.999
    public var lrAdamEpsilon = 1e-8
    /// AdamW decoupled weight decay (ramped with the L2 ramp).
    public var weightDecay = 0.0
    /// Global gradient-norm clip, applied to gradients of the scaled loss.
    public var maxGradNorm = 200.0
    /// Multiplier of the whole loss.
    public var lossScale = 1e4
    public var l2StartEpoch = 0
    public var l2IncreaseEpoch = 50
    public var l2IcEncScale = 0.0
    public var l2CiEncScale = 0.0
    public var l2GenScale = 1e-4
    public var l2ConScale = 1e-4
    public var klStartEpoch = 0
    public var klIncreaseEpoch = 50
    public var klIcScale = 1e-5
    public var klCoScale = 1e-5
    /// Coordinated dropout rate (fraction of encoder inputs hidden each step).
    public var cdRate = 0.3
    /// Probability that a hidden element still passes gradient.
    public var cdPassRate = 0.0
    /// Sample-validation rate (fraction of elements held out for good); 0 = off.
    public var svRate = 0.0
    public var svSeed = 0
    /// Spike jitter half-width in bins (0 = off).
    public var spikeJitterWidth = 0
    /// Temporal-shift SD in bins (0 = off): each train trial and channel moves by round(N(0, SD)) bins.
    public var temporalShiftStd = 0.0
    /// Largest temporal shift in bins (shifts are clamped to ±this).
    public var temporalShiftMax = 6
    public var maxEpochs = 200
    /// Epochs without a new best smoothed valid metric (after the ramps) before stopping.
    public var earlyStoppingPatience = 50
    /// Posterior samples averaged for outputs.
    public var posteriorSamples = 50
    public var seed = 0
    public var threads = 1

    public init() {}

    /// Number of sessions (data files) the model is stitched across (1 = no stitching).
    public var sessionCount: Int { max(1, sessionEncodDims.count) }
    /// True for a multi-session (stitched) model.
    public var isStitched: Bool { !sessionEncodDims.isEmpty }

    /// True when the controller (CI encoder, controller, inferred inputs) is part of the model.
    public var hasController: Bool { conDim > 0 && coDim > 0 && ciEncDim > 0 }
    /// Bins the IC encoder reads.
    public var icEncBins: Int { icEncSeqLen == 0 ? encodSeqLen : icEncSeqLen }
    /// First epoch (0-based) at which both the KL and the L2 ramp are at full weight.
    public var rampEndEpoch: Int {
        max(klStartEpoch + klIncreaseEpoch, l2StartEpoch + l2IncreaseEpoch)
    }
}
