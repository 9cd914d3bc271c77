/// The two LFADS file layouts (original LFADS and lfads-torch key names).
public enum LFADSConvention: String, Sendable {
    /// Original LFADS / lfadslite / autolfads-tf2: `train_data`, `valid_data`, `*_truth`, …
    case original
    /// lfads-torch: `{train,valid,test}_encod_data`, `{train,valid}_recon_data`, …
    case lfadsTorch = "lfads-torch"
}

/// A data split name.
public enum LFADSSplitName: String, Sendable, CaseIterable, Comparable {
    case train, valid, test
    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The arrays of one split. All 3-D arrays are trials × time × channels.
public struct LFADSSplit: Equatable, Sendable {
    /// Encoder input counts (trials × T_enc × N_enc, the held-in neurons).
    public var encod: Array3D
    /// Reconstruction targets (trials × T_recon × N_recon: held-in neurons first, then
    /// held-out; the encoder window first, then forward-prediction bins). In the original
    /// convention this equals `encod`. Nil only for an lfads-torch test split.
    public var recon: Array3D?
    /// External inputs (trials × T × ext dim), if any.
    public var extInput: Array3D?
    /// True rates in **expected counts per bin** (the file's truth divided by `conversion_factor`
    /// when that key exists, else taken as stored), trials × T_recon × N_recon.
    public var truth: Array3D?
    /// True latents (`*_latents` or `*_lowd`), trials × T × latent dim.
    public var latents: Array3D?
    /// Original trial indices (`*_inds`), if any.
    public var inds: [Int]?

    public init(encod: Array3D, recon: Array3D?, extInput: Array3D? = nil, truth: Array3D? = nil,
                latents: Array3D? = nil, inds: [Int]? = nil) {
        self.encod = encod; self.recon = recon; self.extInput = extInput
        self.truth = truth; self.latents = latents; self.inds = inds
    }

    public var trialCount: Int { encod.trials }
}

/// An LFADS dataset file in memory: splits plus every other key kept verbatim in `extras`.
public struct LFADSDataset: Equatable, Sendable {
    public var convention: LFADSConvention
    public var splits: [LFADSSplitName: LFADSSplit]
    /// Storage dtype of the counts (`*_data` / `*_encod_data`), used again when writing.
    public var countsDType: HDF5DType
    /// Factor such that file truth / factor = counts per bin (nil = truth stored as counts/bin).
    public var conversionFactor: Double?
    /// Keys not modelled above (behaviour, condition labels, `dt`, PCR init, …), by name.
    public var extras: [String: HDF5Array]
    /// How the truth was brought to counts per bin (nil without truth); see `TruthScale`.
    public var truthScale: TruthScale?

    public init(convention: LFADSConvention, splits: [LFADSSplitName: LFADSSplit],
                countsDType: HDF5DType = .float32, conversionFactor: Double? = nil,
                extras: [String: HDF5Array] = [:]) {
        self.convention = convention; self.splits = splits; self.countsDType = countsDType
        self.conversionFactor = conversionFactor; self.extras = extras
    }

    /// Equal contents; `truthScale` (how the reader interpreted the truth) is not part of them.
    public static func == (a: Self, b: Self) -> Bool {
        a.convention == b.convention && a.splits == b.splits && a.countsDType == b.countsDType
            && a.conversionFactor == b.conversionFactor && a.extras == b.extras
    }

    public var train: LFADSSplit? { splits[.train] }
    public var valid: LFADSSplit? { splits[.valid] }
    public var test: LFADSSplit? { splits[.test] }

    /// The split that defines the dimensions (train, else valid, else test).
    private var reference: LFADSSplit? { train ?? valid ?? test }

    /// Trials per split.
    public func trialCount(_ split: LFADSSplitName) -> Int { splits[split]?.trialCount ?? 0 }
    /// Encoder time bins T_enc.
    public var encodTime: Int { reference?.encod.time ?? 0 }
    /// Held-in neurons N_enc.
    public var encodNeurons: Int { reference?.encod.channels ?? 0 }
    /// Reconstructed time bins T_recon (≥ T_enc).
    public var reconTime: Int { (train ?? valid)?.recon?.time ?? encodTime }
    /// Reconstructed neurons N_recon (held-in + held-out, ≥ N_enc).
    public var reconNeurons: Int { (train ?? valid)?.recon?.channels ?? encodNeurons }
    /// External input dimension (0 if none).
    public var extInputDim: Int { reference?.extInput?.channels ?? 0 }
    /// True-latent dimension (0 if none).
    public var latentDim: Int { reference?.latents?.channels ?? 0 }
    /// True if any split carries truth rates.
    public var hasTruth: Bool { splits.values.contains { $0.truth != nil } }
}
