/// The typed setter behind one config key.
enum ConfigField: Sendable {
    case int(WritableKeyPath<LFADSConfig, Int> & Sendable)
    case double(WritableKeyPath<LFADSConfig, Double> & Sendable)
    case observation(WritableKeyPath<LFADSConfig, ObservationModel> & Sendable)
    /// A list of integers, written `[30, 42]` (also accepted: `30,42`; `[]` = empty).
    case intList(WritableKeyPath<LFADSConfig, [Int]> & Sendable)
}

extension LFADSConfig {
    /// Every config key (lfads-torch spelling) in declaration order, with its typed storage.
    static let fields: [(key: String, field: ConfigField)] = [
        ("encod_data_dim", .int(\.encodDataDim)), ("encod_seq_len", .int(\.encodSeqLen)),
        ("recon_data_dim", .int(\.reconDataDim)), ("recon_seq_len", .int(\.reconSeqLen)),
        ("readin_dim", .int(\.readinDim)), ("ext_input_dim", .int(\.extInputDim)), ("ic_enc_seq_len", .int(\.icEncSeqLen)),
        ("ic_enc_dim", .int(\.icEncDim)), ("ci_enc_dim", .int(\.ciEncDim)), ("ci_lag", .int(\.ciLag)),
        ("con_dim", .int(\.conDim)), ("co_dim", .int(\.coDim)), ("ic_dim", .int(\.icDim)),
        ("gen_dim", .int(\.genDim)), ("fac_dim", .int(\.facDim)),
        ("dropout_rate", .double(\.dropoutRate)), ("cell_clip", .double(\.cellClip)),
        ("ic_prior_var", .double(\.icPriorVar)), ("ic_post_var_min", .double(\.icPostVarMin)),
        ("co_prior_tau", .double(\.coPriorTau)), ("co_prior_nvar", .double(\.coPriorNvar)),
        ("readout_bias_from_data", .int(\.readoutBiasFromData)),
        ("reconstruction", .observation(\.reconstruction)), ("gamma_loc", .double(\.gammaLoc)),
        ("scale_init", .double(\.scaleInit)), ("scale_prior", .double(\.scalePrior)),
        ("scale_penalty", .double(\.scalePenalty)), ("allow_missing", .int(\.allowMissing)),
        ("session_encod_dims", .intList(\.sessionEncodDims)), ("session_recon_dims", .intList(\.sessionReconDims)),
        ("pcr_init", .int(\.pcrInit)), ("do_train_readin", .int(\.doTrainReadin)),
        ("batch_size", .int(\.batchSize)), ("lr_init", .double(\.lrInit)), ("lr_stop", .double(\.lrStop)),
        ("lr_decay", .double(\.lrDecay)), ("lr_patience", .int(\.lrPatience)),
        ("lr_adam_beta1", .double(\.lrAdamBeta1)), ("lr_adam_beta2", .double(\.lrAdamBeta2)),
        ("lr_adam_epsilon", .double(\.lrAdamEpsilon)), ("weight_decay", .double(\.weightDecay)),
        ("max_grad_norm", .double(\.maxGradNorm)), ("loss_scale", .double(\.lossScale)),
        ("l2_start_epoch", .int(\.l2StartEpoch)), ("l2_increase_epoch", .int(\.l2IncreaseEpoch)),
        ("l2_ic_enc_scale", .double(\.l2IcEncScale)), ("l2_ci_enc_scale", .double(\.l2CiEncScale)),
        ("l2_gen_scale", .double(\.l2GenScale)), ("l2_con_scale", .double(\.l2ConScale)),
        ("kl_start_epoch", .int(\.klStartEpoch)), ("kl_increase_epoch", .int(\.klIncreaseEpoch)),
        ("kl_ic_scale", .double(\.klIcScale)), ("kl_co_scale", .double(\.klCoScale)),
        ("cd_rate", .double(\.cdRate)), ("cd_pass_rate", .double(\.cdPassRate)),
        ("sv_rate", .double(\.svRate)), ("sv_seed", .int(\.svSeed)),
        ("spike_jitter_width", .int(\.spikeJitterWidth)),
        ("temporal_shift_std", .double(\.temporalShiftStd)), ("temporal_shift_max", .int(\.temporalShiftMax)),
        ("max_epochs", .int(\.maxEpochs)),
        ("early_stopping_patience", .int(\.earlyStoppingPatience)),
        ("posterior_samples", .int(\.posteriorSamples)), ("seed", .int(\.seed)), ("threads", .int(\.threads)),
    ]

    static let fieldsByKey: [String: ConfigField] =
        Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.field) })

    /// All valid config keys, in declaration order.
    public static var keys: [String] { fields.map(\.key) }
    /// Whether `key` holds a whole number (a dimension, a count, an epoch): search-space values for it
    /// are rounded.
    public static func isInteger(_ key: String) -> Bool {
        if case .int? = fieldsByKey[key] { return true }
        return false
    }

    /// Sets `key` from its textual value, parsing to the key's type.
    /// - Throws: `ConfigError` for an unknown key (with close matches) or a value of the wrong type.
    public mutating func set(_ key: String, to text: String) throws {
        guard let field = Self.fieldsByKey[key] else {
            throw ConfigError.unknownKey(key, suggestions: Self.closeMatches(for: key))
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch field {
        case .int(let path):
            guard let value = Int(trimmed) ?? Double(trimmed).flatMap({ $0.rounded() == $0 && abs($0) < 1e15 ? Int($0) : nil })
            else { throw ConfigError.badValue(key: key, value: text, expected: "an integer") }
            self[keyPath: path] = value
        case .double(let path):
            guard let value = Double(trimmed), value.isFinite
            else { throw ConfigError.badValue(key: key, value: text, expected: "a finite number") }
            self[keyPath: path] = value
        case .observation(let path):
            self[keyPath: path] = try ObservationModel(parsing: trimmed)
        case .intList(let path):
            let body = trimmed.hasPrefix("[") && trimmed.hasSuffix("]") ? String(trimmed.dropFirst().dropLast()) : trimmed
            let items = body.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let values = items.compactMap { Int($0) }
            guard values.count == items.count else { throw ConfigError.badValue(key: key, value: text, expected: "a list of integers like [30, 42]") }
            self[keyPath: path] = values
        }
    }

    /// The textual value of `key`, or nil for an unknown key.
    public func value(of key: String) -> String? {
        switch Self.fieldsByKey[key] {
        case .int(let path)?: return String(self[keyPath: path])
        case .double(let path)?: return String(self[keyPath: path])
        case .observation(let path)?: return self[keyPath: path].rawValue
        case .intList(let path)?: return "[" + self[keyPath: path].map(String.init).joined(separator: ", ") + "]"
        case nil: return nil
        }
    }

    /// Known keys closest to `key` (edit distance ≤ 3 or a shared substring), best first, at most 3.
    static func closeMatches(for key: String) -> [String] {
        LFADSModel.closeMatches(for: key, among: keys)
    }
}

/// The `candidates` closest to `key` (edit distance ≤ 3 or a shared substring), best first, at most 3:
/// the "did you mean" of unknown-key errors in model and run configs.
public func closeMatches(for key: String, among candidates: [String]) -> [String] {
    let scored = candidates.map { ($0, editDistance($0, key)) }
        .filter { $0.1 <= 3 || $0.0.contains(key) || key.contains($0.0) }
        .enumerated().sorted { ($0.element.1, $0.offset) < ($1.element.1, $1.offset) }
    return Array(scored.prefix(3).map(\.element.0))
}

/// Levenshtein distance between two strings.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
