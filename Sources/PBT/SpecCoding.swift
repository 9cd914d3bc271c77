/// Flat, config-friendly coding of a hyperparameter (YAML/JSON):
///
///     { name: lr, min: 1e-5, max: 5e-3, init: fixed, value: 4e-3,
///       perturbation: 0.3, space: linear, limit: true, explorable: true }
///
/// `init` is one of fixed (needs `value`), uniform, logUniform, grid, logGrid, choice (needs
/// `values`). Omitted keys default to: explorable true, perturbation 0.3, space linear, limit true.
extension HyperparameterSpec {
    enum CodingKeys: String, CodingKey {
        case name, min, max, values, `init`, value, explorable, perturbation, space, limit
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        values = try c.decodeIfPresent([Double].self, forKey: .values)
        let lo = try c.decodeIfPresent(Double.self, forKey: .min)
        let hi = try c.decodeIfPresent(Double.self, forKey: .max)
        guard let lo = lo ?? values?.min(), let hi = hi ?? values?.max() else {
            throw DecodingError.dataCorruptedError(forKey: .min, in: c, debugDescription:
                "hyperparameter \(name): give min and max (or a values list)")
        }
        min = lo; max = hi
        let mode = try c.decode(String.self, forKey: .`init`)
        switch mode {
        case "fixed":
            guard let v = try c.decodeIfPresent(Double.self, forKey: .value) else {
                throw DecodingError.dataCorruptedError(forKey: .value, in: c, debugDescription:
                    "hyperparameter \(name): init fixed needs a value")
            }
            initMode = .fixed(v)
        case "uniform": initMode = .uniform
        case "logUniform": initMode = .logUniform
        case "grid": initMode = .grid(log: false)
        case "logGrid": initMode = .grid(log: true)
        case "choice": initMode = .choice
        default:
            throw DecodingError.dataCorruptedError(forKey: .`init`, in: c, debugDescription:
                "hyperparameter \(name): unknown init '\(mode)'; use fixed, uniform, logUniform, grid, logGrid or choice")
        }
        explorable = try c.decodeIfPresent(Bool.self, forKey: .explorable) ?? true
        perturbation = try c.decodeIfPresent(Double.self, forKey: .perturbation) ?? 0.3
        let space = try c.decodeIfPresent(String.self, forKey: .space) ?? "linear"
        guard let ps = PerturbationSpace(rawValue: space) else {
            throw DecodingError.dataCorruptedError(forKey: .space, in: c, debugDescription:
                "hyperparameter \(name): unknown space '\(space)'; use linear or log")
        }
        perturbationSpace = ps
        limit = try c.decodeIfPresent(Bool.self, forKey: .limit) ?? true
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(min, forKey: .min)
        try c.encode(max, forKey: .max)
        try c.encodeIfPresent(values, forKey: .values)
        switch initMode {
        case .fixed(let v): try c.encode("fixed", forKey: .`init`); try c.encode(v, forKey: .value)
        case .uniform: try c.encode("uniform", forKey: .`init`)
        case .logUniform: try c.encode("logUniform", forKey: .`init`)
        case .grid(let log): try c.encode(log ? "logGrid" : "grid", forKey: .`init`)
        case .choice: try c.encode("choice", forKey: .`init`)
        }
        try c.encode(explorable, forKey: .explorable)
        try c.encode(perturbation, forKey: .perturbation)
        try c.encode(perturbationSpace.rawValue, forKey: .space)
        try c.encode(limit, forKey: .limit)
    }
}

/// A search space codes as a plain list of hyperparameter specs.
extension SearchSpace {
    public init(from decoder: Decoder) throws {
        hyperparameters = try decoder.singleValueContainer().decode([HyperparameterSpec].self)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hyperparameters)
    }
}
