import Foundation
import LFADSModel
import PBT
import Yams
import YAMLInput

extension RunConfig {
    /// Reads `run.yaml`: unknown keys are errors; relative paths resolve against the file's directory.
    public static func load(path: String, overrides: RunOverrides = RunOverrides()) throws -> RunConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError("\(path): cannot read the run config (check the path)")
        }
        let base = ((path as NSString).deletingLastPathComponent as NSString).standardizingPath
        do { return try parse(yaml: text, baseDirectory: base.isEmpty ? FileManager.default.currentDirectoryPath : base, overrides: overrides) }
        catch let e as ConfigError { throw e.fromOverride ? e : ConfigError("\(path): \(e.message)") }
    }

    /// Parses a run config from YAML text; missing keys keep the embedded defaults.
    /// `overrides.assignments` are set in the YAML tree first, so they are checked like the file's keys;
    /// an error caused by one names it (`override 'pbt.mdoe=async': …`).
    public static func parse(yaml: String, baseDirectory: String = FileManager.default.currentDirectoryPath,
                             overrides: RunOverrides = RunOverrides()) throws -> RunConfig {
        if let problem = YAMLInputLimits.problem(in: yaml) { throw ConfigError(problem) }
        var root: Node?
        do { root = try Yams.compose(yaml: yaml) }
        catch { throw ConfigError("not valid YAML: \(String(describing: error).split(separator: "\n").first ?? "")") }
        do { root = try overrides.apply(toTree: root) } catch var e as ConfigError { e.fromOverride = true; throw e }
        if let root, let problem = YAMLInputLimits.expansionProblem(of: root) { throw ConfigError(problem) }
        do { return try decode(root, baseDirectory: baseDirectory, overrides: overrides) } catch let e as ConfigError {
            throw (try? overrides.parsedAssignments()).flatMap { e.attributed(to: $0) } ?? e
        }
    }

    /// The one typed decode of a (possibly overridden) run.yaml tree.
    private static func decode(_ root: Node?, baseDirectory: String, overrides: RunOverrides) throws -> RunConfig {
        var top = try YAMLSection(root, path: "")
        var c = RunConfig()
        let explicitName = try top.string("name")
        if case .sequence(let seq)? = top.node("data") {
            let files = try seq.map { item -> String in
                guard case .scalar(let s) = item, !s.string.isEmpty else { throw ConfigError("data: expected a file path or a list of file paths (one per session)") }
                return s.string
            }
            guard let first = files.first else { throw ConfigError("data: the list is empty; give one file per session") }
            c.data = first
            c.sessionData = files.count > 1 ? files : nil
        } else {
            c.data = try top.string("data")
        }
        c.storage = try top.string("storage") ?? c.storage
        c.store = try top.string("store") ?? ""
        if let o = try top.string("objective") { c.objective = try enumValue(o, key: "objective") }
        c.seed = try top.int("seed") ?? c.seed
        c.population = try top.int("population") ?? c.population
        c.epochsPerGeneration = try top.int("epochs_per_generation") ?? c.epochsPerGeneration
        // `auto` (the default): generation 0 lasts until the model's KL/L2 ramps end, so PBT neither
        // exploits nor counts a stopping generation while the penalties are still ramping up.
        var autoRamp = true
        if case .scalar(let s)? = top.node("ramp_epochs"), s.string == "auto" {
            autoRamp = true
        } else if let r = try top.int("ramp_epochs") {
            c.rampEpochs = r; autoRamp = false
        }
        c.maxGenerations = try top.int("max_generations") ?? c.maxGenerations
        c.posteriorSamples = try top.int("posterior_samples") ?? c.posteriorSamples
        c.finalEnsembleSetting = try top.int("final_ensemble")

        var stop = try top.section("stopping")
        c.stopEnabled = try stop.bool("enabled") ?? c.stopEnabled
        c.stopPatience = try stop.int("patience") ?? c.stopPatience
        c.stopMinChange = try stop.double("min_change") ?? c.stopMinChange
        try stop.finish(allowed: ["enabled", "patience", "min_change"])

        var pbt = try top.section("pbt")
        if let m = try pbt.string("mode") { c.mode = try enumValue(m, key: "pbt.mode") }
        if let m = try pbt.string("metric") { c.pbtMetric = try enumValue(m, key: "pbt.metric") }
        let minimize = try pbt.bool("minimize")
        // For LFADS the direction is the metric's (the default one included); only the toy objective chooses it.
        if let minimize, c.objective == .lfads || c.pbtMetric != nil, minimize == c.metric.maximized {
            throw ConfigError("pbt.minimize: \(minimize) contradicts pbt.metric \(c.metric.rawValue), which is \(c.metric.maximized ? "maximised" : "minimised"); drop pbt.minimize")
        }
        c.minimize = minimize ?? c.pbtMetric.map { !$0.maximized } ?? c.minimize
        if let e = try pbt.string("exploit") { c.exploit = try enumValue(e, key: "pbt.exploit") }
        c.exploitFraction = try pbt.double("exploit_fraction") ?? c.exploitFraction
        if let e = try pbt.string("explore") { c.explore = try enumValue(e, key: "pbt.explore") }
        c.resampleProbability = try pbt.double("resample_probability") ?? c.resampleProbability
        c.gridPoints = try pbt.int("grid_points")
        c.startAtDefaultsSetting = try pbt.bool("start_at_defaults")
        try pbt.finish(allowed: ["mode", "metric", "minimize", "exploit", "exploit_fraction", "explore", "resample_probability", "grid_points",
                                 "start_at_defaults"])

        var space = try top.section("search_space")
        c.searchSpace = try space.keys.map { name in
            var hp = try space.section(name)
            let parsed = try parseHyperparameter(name: name, section: &hp)
            try hp.finish(allowed: ["min", "max", "values", "init", "explore", "weight", "space", "limit"])
            return parsed
        }
        try space.finish(allowed: space.keys)

        if let m = top.node("model") {
            guard case .mapping = m else { throw ConfigError("model: expected a mapping (the LFADS model/train config)") }
            c.model = YAMLSection.json(m)
        }

        var toy = try top.section("toy")
        c.toy.epochSeconds = try toy.double("epoch_seconds") ?? c.toy.epochSeconds
        c.toy.step = try toy.double("step") ?? c.toy.step
        c.toy.epochSecondsSpread = try toy.double("epoch_seconds_spread") ?? 0
        c.toy.nanWorkers = try toy.intList("nan_workers") ?? []
        c.toy.crashWorkers = try toy.intList("crash_workers") ?? []
        c.toy.crashFirstAttemptWorkers = try toy.intList("crash_first_attempt_workers") ?? []
        c.toy.posteriorSeconds = try toy.double("posterior_seconds")
        try toy.finish(allowed: ["epoch_seconds", "epoch_seconds_spread", "step", "nan_workers", "crash_workers", "crash_first_attempt_workers",
                                 "posterior_seconds"])

        var res = try top.section("resources")
        c.slots = try res.int("slots") ?? c.slots
        if case .scalar(let s)? = res.node("threads_per_slot"), s.string == "auto" {
            c.threadsPerSlot = 0
        } else {
            let bad = "resources.threads_per_slot: expected auto or a whole number 1…\(Limits.threadsPerSlot)"
            let t: Int?
            do { t = try res.int("threads_per_slot") } catch { throw ConfigError(bad) }
            // 0 is how a config stores `auto`; in a file it is written out.
            if let t { guard t >= 1 else { throw ConfigError(bad + ", got \(t)") }; c.threadsPerSlot = t }
        }
        try res.finish(allowed: ["slots", "threads_per_slot"])

        var faults = try top.section("faults")
        c.heartbeatInterval = try faults.double("heartbeat_interval") ?? c.heartbeatInterval
        c.heartbeatTimeout = try faults.double("heartbeat_timeout") ?? c.heartbeatTimeout
        c.maxAttempts = try faults.int("max_attempts") ?? c.maxAttempts
        c.clientIdleTimeout = try faults.double("client_idle_timeout") ?? c.clientIdleTimeout
        c.finalStepTimeoutSeconds = try faults.double("final_step_timeout")
        try faults.finish(allowed: ["heartbeat_interval", "heartbeat_timeout", "max_attempts", "client_idle_timeout", "final_step_timeout"])

        var logging = try top.section("logging")
        c.logTensorBoard = try logging.bool("tensorboard")
        try logging.finish(allowed: ["tensorboard"])

        try top.finish(allowed: topLevelKeys)
        overrides.apply(to: &c, explicitName: explicitName)
        if autoRamp { c.rampEpochs = c.objective == .lfads ? RunConfig.modelRampEnd(c.model) : 0 }
        if c.searchSpace.isEmpty { c.searchSpace = SearchSpacePresets.preset(for: c.objective) }
        c.resolvePaths(baseDirectory: baseDirectory)
        try c.validate()
        return c
    }

    static let topLevelKeys = ["name", "data", "storage", "store", "objective", "seed", "population",
                               "epochs_per_generation", "ramp_epochs", "max_generations", "posterior_samples", "final_ensemble",
                               "stopping", "pbt", "search_space", "model", "toy", "resources", "faults", "logging"]

    private static func enumValue<T: RawRepresentable & CaseIterable>(_ s: String, key: String) throws -> T where T.RawValue == String {
        guard let v = T(rawValue: s) else {
            throw ConfigError("\(key): '\(s)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    private static func parseHyperparameter(name: String, section hp: inout YAMLSection) throws -> HyperparameterConfig {
        let path = hp.path
        var h = HyperparameterConfig(name: name, initMode: .uniform)
        h.min = try hp.double("min")
        h.max = try hp.double("max")
        if let vs = hp.node("values") {
            guard case .sequence(let seq) = vs else { throw ConfigError("\(path).values: expected a list of numbers") }
            h.values = try seq.map { n in
                guard case .scalar(let s) = n, let d = YAMLSection.parseNumber(s.string) else {
                    throw ConfigError("\(path).values: expected a list of numbers")
                }
                return d
            }
        }
        if h.values != nil { h.initMode = .choice }
        if let initNode = hp.node("init") {
            guard case .scalar(let s) = initNode else { throw ConfigError("\(path).init: expected a number or a mode") }
            if let d = YAMLSection.parseNumber(s.string) { h.initMode = .fixed; h.initValue = d }
            else { h.initMode = try enumValue(s.string, key: "\(path).init") }
        }
        h.explore = try hp.bool("explore") ?? true
        h.weight = try hp.double("weight") ?? 0.3
        if let sp = try hp.string("space") { h.space = try enumValue(sp, key: "\(path).space") }
        h.limit = try hp.bool("limit") ?? true
        return h
    }

    mutating func resolvePaths(baseDirectory: String) {
        func absolute(_ p: String) -> String {
            let expanded = (p as NSString).expandingTildeInPath
            if expanded.hasPrefix("/") { return (expanded as NSString).standardizingPath }
            return ((baseDirectory as NSString).appendingPathComponent(expanded) as NSString).standardizingPath
        }
        storage = absolute(storage)
        if let d = data { data = absolute(d) }
        sessionData = sessionData?.map(absolute)
        if store.isEmpty { store = defaultStoreURL }
    }

    /// Upper bounds of the run's numeric keys: generous (far above any real run) so that nothing they
    /// size overflows `Int` or exhausts memory, and a typo such as `population: 1e9` is one clear error.
    public enum Limits {
        /// `population` (2…10 000 workers).
        public static let population = 10_000
        /// `epochs_per_generation`, `ramp_epochs`, `max_generations`, and the epochs one worker trains
        /// in the whole run (`ramp_epochs + max_generations × epochs_per_generation`).
        public static let epochs = 1_000_000
        /// `posterior_samples` (1…10 000).
        public static let posteriorSamples = 10_000
        /// `final_ensemble` (1…100 models).
        public static let finalEnsemble = 100
        /// `resources.slots` (0…4096) and `resources.threads_per_slot` (1…1024).
        public static let slots = 4096, threadsPerSlot = 1024
        /// `faults.max_attempts` (1…1000).
        public static let maxAttempts = 1000
        /// `faults.*` durations and `toy.epoch_seconds`, in seconds (at most 7 days).
        public static let seconds = 604_800.0
        /// `seed`: any whole number a YAML/JSON number holds exactly (|seed| < 2^53).
        public static let seed = (1 << 53) - 1
        /// `search_space.*.values`: at most this many choices.
        public static let values = 10_000
        /// Run names: 1…128 characters.
        public static let nameLength = 128
    }

    /// Checks ranges and consistency; the error names the key, the value and the allowed range.
    public func validate() throws {
        func range<T: Comparable>(_ key: String, _ v: T, _ lo: T, _ hi: T, _ note: String = "") throws {
            guard v >= lo && v <= hi else { throw ConfigError("\(key): \(v) is out of range; allowed \(lo)…\(hi)\(note)") }
        }
        let nameOK = !name.isEmpty && name.count <= Limits.nameLength && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
        if !nameOK {
            throw ConfigError("name: '\(name)' must be 1–\(Limits.nameLength) ASCII letters, digits, '.', '_' or '-' (not starting with '.')")
        }
        try range("seed", seed, -Limits.seed, Limits.seed)
        try range("population", population, 2, Limits.population)
        try range("epochs_per_generation", epochsPerGeneration, 1, Limits.epochs)
        try range("ramp_epochs", rampEpochs, 0, Limits.epochs)
        try range("max_generations", maxGenerations, 1, Limits.epochs)
        let (product, overflow) = maxGenerations.multipliedReportingOverflow(by: epochsPerGeneration)
        let (total, overflow2) = product.addingReportingOverflow(rampEpochs)
        if overflow || overflow2 || total > Limits.epochs {
            throw ConfigError("max_generations × epochs_per_generation + ramp_epochs: \(maxGenerations) × \(epochsPerGeneration) + \(rampEpochs) epochs per worker is out of range; allowed at most \(Limits.epochs)")
        }
        try range("posterior_samples", posteriorSamples, 1, Limits.posteriorSamples)
        try range("final_ensemble", finalEnsemble, 1, Limits.finalEnsemble, " (1 = the best model alone)")
        try range("stopping.patience", stopPatience, 2, Limits.epochs)
        try range("stopping.min_change", stopMinChange, 0, 1)
        if !(exploitFraction > 0 && exploitFraction <= 0.5) { throw ConfigError("pbt.exploit_fraction: \(exploitFraction) is out of range; allowed (0, 0.5]") }
        try range("pbt.resample_probability", resampleProbability, 0, 1)
        try range("resources.slots", slots, 0, Limits.slots, " (0 = all cores)")
        try range("resources.threads_per_slot", threadsPerSlot, 0, Limits.threadsPerSlot, " (0 = auto)")
        if !(heartbeatInterval > 0 && heartbeatInterval <= Limits.seconds) {
            throw ConfigError("faults.heartbeat_interval: \(heartbeatInterval) is out of range; allowed (0, \(Limits.seconds)] seconds")
        }
        if heartbeatTimeout <= heartbeatInterval {
            throw ConfigError("faults.heartbeat_timeout: must exceed heartbeat_interval (\(heartbeatInterval) s)")
        }
        try range("faults.heartbeat_timeout", heartbeatTimeout, heartbeatInterval, Limits.seconds, " seconds")
        try range("faults.max_attempts", maxAttempts, 1, Limits.maxAttempts)
        try range("faults.client_idle_timeout", clientIdleTimeout, 0, Limits.seconds, " seconds (0 = never)")
        if !(finalStepTimeout > 0 && finalStepTimeout <= Limits.seconds) {
            throw ConfigError("faults.final_step_timeout: \(finalStepTimeout) is out of range; allowed (0, \(Limits.seconds)] seconds")
        }
        try range("toy.epoch_seconds", toy.epochSeconds, 0, Limits.seconds)
        try range("toy.posterior_seconds", toy.posteriorSeconds ?? 0, 0, Limits.seconds)
        try range("toy.epoch_seconds_spread", toy.epochSecondsSpread, 0, 1)
        try range("toy.step", toy.step, 0, 1)
        for (key, list) in [("toy.nan_workers", toy.nanWorkers), ("toy.crash_workers", toy.crashWorkers),
                            ("toy.crash_first_attempt_workers", toy.crashFirstAttemptWorkers)] {
            if let bad = list.first(where: { $0 < 0 || $0 >= Limits.population }) {
                throw ConfigError("\(key): worker \(bad) is out of range; allowed 0…\(Limits.population - 1)")
            }
        }
        if !(store.hasPrefix("sqlite://") || store.hasPrefix("postgres://") || store.hasPrefix("postgresql://")) {
            throw ConfigError("store: '\(store)' must start with sqlite:/// or postgres://")
        }
        if searchSpace.isEmpty { throw ConfigError("search_space: needs at least one hyperparameter") }
        for h in searchSpace { try h.validate() }
        if let p = gridPoints {
            if mode != .grid { throw ConfigError("pbt.grid_points: only used with pbt.mode: grid (the mode is \(mode.rawValue)); drop it or set the mode") }
            try range("pbt.grid_points", p, 2, Limits.population)
        }
        if mode == .grid {
            do { _ = try pbtSearchSpace.gridAxes(workers: population, points: gridPoints) } catch let e as PBTError {
                throw ConfigError("pbt.mode grid: \(e.description.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "\(e)")")
            }
        }
    }
}

extension HyperparameterConfig {
    func validate() throws {
        let key = "search_space.\(name)"
        if let v = values {
            if v.isEmpty { throw ConfigError("\(key).values: must not be empty") }
            if v.count > RunConfig.Limits.values {
                throw ConfigError("\(key).values: \(v.count) choices is out of range; allowed 1…\(RunConfig.Limits.values)")
            }
        } else {
            guard let lo = min, let hi = max else { throw ConfigError("\(key): needs min and max (or values: [...])") }
            if !(lo < hi) { throw ConfigError("\(key): min (\(lo)) must be below max (\(hi))") }
            if (initMode == .logUniform || initMode == .logGrid || space == .log) && lo <= 0 {
                throw ConfigError("\(key): log-scale init/space needs min > 0")
            }
        }
        if initMode == .fixed && initValue == nil { throw ConfigError("\(key).init: fixed init needs a value") }
        if initMode == .choice && values == nil { throw ConfigError("\(key).init: choice needs values: [...]") }
        if weight < 0 || weight >= 1 && space == .linear { throw ConfigError("\(key).weight: must be in [0, 1) for linear space") }
    }
}
