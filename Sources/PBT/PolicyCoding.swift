/// Flat, config-friendly coding of the policy (YAML/JSON); every key but `space` is optional:
///
///     { space: [...], objective: minimize, exploit: binaryTournament,   # | truncation | pairedTournament
///       truncationFraction: 0.25, resampleProbability: 0, maxPerturbTries: 99, asyncMaxLag: 0,
///       method: pbt, gridPoints: 3 }                                     # method: pbt | random | grid
extension PBTPolicy {
    enum CodingKeys: String, CodingKey {
        case space, objective, exploit, truncationFraction, resampleProbability, maxPerturbTries, asyncMaxLag
        case method, gridPoints
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        space = try c.decode(SearchSpace.self, forKey: .space)
        let obj = try c.decodeIfPresent(String.self, forKey: .objective) ?? "minimize"
        guard let o = Objective(rawValue: obj) else {
            throw DecodingError.dataCorruptedError(forKey: .objective, in: c, debugDescription:
                "PBT objective '\(obj)' is unknown; use minimize or maximize")
        }
        objective = o
        let fraction = try c.decodeIfPresent(Double.self, forKey: .truncationFraction) ?? 0.25
        switch try c.decodeIfPresent(String.self, forKey: .exploit) ?? "binaryTournament" {
        case "binaryTournament": exploit = .binaryTournament
        case "pairedTournament": exploit = .pairedTournament
        case "truncation": exploit = .truncation(fraction: fraction)
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .exploit, in: c, debugDescription:
                "PBT exploit '\(other)' is unknown; use binaryTournament, truncation or pairedTournament")
        }
        resampleProbability = try c.decodeIfPresent(Double.self, forKey: .resampleProbability) ?? 0
        maxPerturbTries = try c.decodeIfPresent(Int.self, forKey: .maxPerturbTries) ?? 99
        asyncMaxLag = try c.decodeIfPresent(Int.self, forKey: .asyncMaxLag) ?? 0
        switch try c.decodeIfPresent(String.self, forKey: .method) ?? "pbt" {
        case "pbt": method = .pbt
        case "random": method = .random
        case "grid": method = .grid(points: try c.decodeIfPresent(Int.self, forKey: .gridPoints))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .method, in: c, debugDescription:
                "search method '\(other)' is unknown; use pbt, random or grid")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(space, forKey: .space)
        try c.encode(objective.rawValue, forKey: .objective)
        switch exploit {
        case .binaryTournament: try c.encode("binaryTournament", forKey: .exploit)
        case .pairedTournament: try c.encode("pairedTournament", forKey: .exploit)
        case .truncation(let f):
            try c.encode("truncation", forKey: .exploit)
            try c.encode(f, forKey: .truncationFraction)
        }
        try c.encode(resampleProbability, forKey: .resampleProbability)
        try c.encode(maxPerturbTries, forKey: .maxPerturbTries)
        try c.encode(asyncMaxLag, forKey: .asyncMaxLag)
        try c.encode(method.name, forKey: .method)
        if case .grid(let p?) = method { try c.encode(p, forKey: .gridPoints) }
    }
}

/// Stopping keys are optional too: { maxGenerations: 20, window: 5, minChange: 5e-4 }.
extension StoppingRule {
    enum CodingKeys: String, CodingKey { case maxGenerations, window, minChange }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(maxGenerations: try c.decodeIfPresent(Int.self, forKey: .maxGenerations) ?? 20,
                  window: try c.decodeIfPresent(Int.self, forKey: .window) ?? 5,
                  minChange: try c.decodeIfPresent(Double.self, forKey: .minChange) ?? 5e-4)
    }
}
