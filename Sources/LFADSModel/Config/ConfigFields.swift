/// A model config value as a YAML or JSON mapping gives it, before `LFADSConfig.set(_:to:)` checks it
/// against its key's type.
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case bool(Bool)
    case text(String)
    case list([ConfigValue])

    public var description: String {
        switch self {
        case .number(let x): return x.rounded() == x && abs(x) < 1e15 ? String(Int(x)) : String(x)
        case .bool(let b): return String(b)
        case .text(let t): return t
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// The typed setter behind one config key.
enum ConfigField: Sendable {
    case int(WritableKeyPath<LFADSConfig, Int> & Sendable)
    case double(WritableKeyPath<LFADSConfig, Double> & Sendable)
    /// An on/off option: true/false (also 1/0, as lfads-torch configs write them).
    case bool(WritableKeyPath<LFADSConfig, Bool> & Sendable)
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
        ("readout_bias_from_data", .bool(\.readoutBiasFromData)),
        ("reconstruction", .observation(\.reconstruction)), ("gamma_loc", .double(\.gammaLoc)),
        ("scale_init", .double(\.scaleInit)), ("scale_prior", .double(\.scalePrior)),
        ("scale_penalty", .double(\.scalePenalty)), ("allow_missing", .bool(\.allowMissing)),
        ("session_encod_dims", .intList(\.sessionEncodDims)), ("session_recon_dims", .intList(\.sessionReconDims)),
        ("pcr_init", .bool(\.pcrInit)), ("do_train_readin", .bool(\.doTrainReadin)),
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
    /// Whether `key` holds a whole number (a dimension, a count, an epoch) or an on/off option: search-space
    /// values for it are rounded.
    public static func isInteger(_ key: String) -> Bool {
        switch fieldsByKey[key] {
        case .int?, .bool?: return true   // an on/off option searched over [0, 1] takes the nearer end
        default: return false
        }
    }

    /// The value of a numeric key as a number (on/off as 1/0), nil for an unknown key, a name or a list:
    /// what a search space over `key` starts from (`pbt.start_at_defaults`).
    public func number(of key: String) -> Double? {
        switch Self.fieldsByKey[key] {
        case .int(let path)?: return Double(self[keyPath: path])
        case .double(let path)?: return self[keyPath: path]
        case .bool(let path)?: return self[keyPath: path] ? 1 : 0
        default: return nil
        }
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
        case .bool(let path):
            switch trimmed.lowercased() {
            case "1", "true": self[keyPath: path] = true
            case "0", "false": self[keyPath: path] = false
            default: throw ConfigError.badValue(key: key, value: text, expected: "on or off: true/false (or 1/0)")
            }
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

    /// Sets `key` from a value as a YAML or JSON mapping gives it (run.yaml's `model:`, a model config
    /// file, a search-space number), checked against the key's type without a detour through text:
    /// numbers for counts and rates (a count must be whole), true/false or 1/0 for on/off options, a name
    /// for `reconstruction`, a list (or one number) for the per-session dimensions.
    /// - Throws: `ConfigError` for an unknown key (with close matches) or a value of the wrong type.
    public mutating func set(_ key: String, to value: ConfigValue) throws {
        guard let field = Self.fieldsByKey[key] else {
            throw ConfigError.unknownKey(key, suggestions: Self.closeMatches(for: key))
        }
        func whole(_ x: Double) -> Int? { x.rounded() == x && abs(x) < 1e15 ? Int(x) : nil }
        func bad(_ expected: String) -> ConfigError { .badValue(key: key, value: value.description, expected: expected) }
        switch (field, value) {
        case (_, .text(let text)): try set(key, to: text)   // a quoted value: parsed as the key's type
        case (.int(let path), .number(let x)):
            guard let n = whole(x) else { throw bad("an integer") }
            self[keyPath: path] = n
        case (.double(let path), .number(let x)):
            guard x.isFinite else { throw bad("a finite number") }
            self[keyPath: path] = x
        case (.bool(let path), .bool(let b)): self[keyPath: path] = b
        case (.bool(let path), .number(let x)) where x == 0 || x == 1: self[keyPath: path] = x == 1
        case (.intList(let path), .number(let x)):
            guard let n = whole(x) else { throw bad("a list of integers like [30, 42]") }
            self[keyPath: path] = [n]
        case (.intList(let path), .list(let items)):
            let values = items.compactMap { item -> Int? in if case .number(let x) = item { return whole(x) } else { return nil } }
            guard values.count == items.count else { throw bad("a list of integers like [30, 42]") }
            self[keyPath: path] = values
        case (.int, _): throw bad("an integer")
        case (.double, _): throw bad("a finite number")
        case (.bool, _): throw bad("on or off: true/false (or 1/0)")
        case (.observation, _): throw bad("one of \(ObservationModel.allCases.map(\.rawValue).joined(separator: ", "))")
        case (.intList, _): throw bad("a list of integers like [30, 42]")
        }
    }

    /// The textual value of `key`, or nil for an unknown key.
    public func value(of key: String) -> String? {
        switch Self.fieldsByKey[key] {
        case .int(let path)?: return String(self[keyPath: path])
        case .double(let path)?: return String(self[keyPath: path])
        case .bool(let path)?: return self[keyPath: path] ? "true" : "false"
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
