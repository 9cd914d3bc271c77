import Coordination
import Foundation
import PBT

/// One hyperparameter of the search space as written in `run.yaml`.
public struct HyperparameterConfig: Codable, Equatable, Sendable {
    /// How initial values are drawn across the population.
    public enum InitMode: String, Codable, Sendable, CaseIterable {
        case fixed, uniform, logUniform = "log_uniform", grid, logGrid = "log_grid", choice
    }
    /// Whether perturbations multiply in linear or log space.
    public enum Space: String, Codable, Sendable, CaseIterable { case linear, log }

    public var name: String
    public var min: Double?
    public var max: Double?
    /// Allowed values for list-valued hyperparameters (explore snaps to the nearest).
    public var values: [Double]?
    public var initMode: InitMode
    /// The value for `fixed` init.
    public var initValue: Double?
    /// Whether PBT may perturb it.
    public var explore: Bool
    /// Perturbation factor p: scale ∈ [1−p, 1+p].
    public var weight: Double
    public var space: Space
    /// Clip to [min, max] after perturbation (else only a lower bound of 0).
    public var limit: Bool

    public init(name: String, min: Double? = nil, max: Double? = nil, values: [Double]? = nil,
                initMode: InitMode, initValue: Double? = nil, explore: Bool = true,
                weight: Double = 0.3, space: Space = .linear, limit: Bool = true) {
        self.name = name; self.min = min; self.max = max; self.values = values
        self.initMode = initMode; self.initValue = initValue; self.explore = explore
        self.weight = weight; self.space = space; self.limit = limit
    }
}

/// Options of the built-in `toy` objective (cheap, deterministic; fault injection for tests).
public struct ToyConfig: Codable, Equatable, Sendable {
    /// Seconds slept per simulated epoch (to simulate work).
    public var epochSeconds: Double = 0
    /// Relative spread of epoch time across workers: worker w sleeps epochSeconds·(1 + spread·u_w),
    /// u_w ∈ [−1, 1] fixed per worker (some workers are slower, as on real clusters).
    public var epochSecondsSpread: Double = 0
    /// Gradient step size of the toy problem.
    public var step: Double = 0.05
    /// Workers whose score is always NaN.
    public var nanWorkers: [Int] = []
    /// Workers whose job always crashes (abort signal).
    public var crashWorkers: [Int] = []
    /// Workers whose job crashes on its first attempt only (then succeeds when retried).
    public var crashFirstAttemptWorkers: [Int] = []
    /// Seconds the final (posterior) step sleeps before writing its outputs (nil = 0; tests its timeout).
    public var posteriorSeconds: Double?
    public init() {}

    /// Seconds of one epoch for `worker`.
    public func epochSeconds(worker: Int) -> Double {
        let u = Double((worker * 7) % 9) / 4 - 1   // deterministic in [−1, 1]
        return max(0, epochSeconds * (1 + epochSecondsSpread * u))
    }
}

/// The whole description of an AutoLFADS run (`run.yaml`). Paths are absolute once loaded.
public struct RunConfig: Codable, Equatable, Sendable {
    public enum Objective: String, Codable, Sendable, CaseIterable { case lfads, toy }
    /// `sync` / `async` PBT, or a baseline search with the same budget and no exploit/explore:
    /// `random` (each worker keeps its initial draw) or `grid` (initial HPs on a grid; `gridPoints`).
    /// The baselines are scheduled like `async` (no decision waits for other workers).
    public enum Mode: String, Codable, Sendable, CaseIterable {
        case sync, async, random, grid

        /// True for the PBT modes (`sync`, `async`); false for the random / grid baselines.
        public var isPBT: Bool { self == .sync || self == .async }
        /// How `status`, the dashboard and the report name it.
        public var label: String { SearchMethod.label(forMode: rawValue) }
    }
    public enum ExploitStrategy: String, Codable, Sendable, CaseIterable { case tournament, truncation, paired }
    public enum ExploreStrategy: String, Codable, Sendable, CaseIterable { case perturb, resample }

    /// Run name (letters, digits, `.`, `_`, `-`); the key of the run in the store and storage.
    /// Defaults to `lorenz` (objective `lfads`) or `toy`.
    public var name: String = "lorenz"
    /// Dataset file (LFADS HDF5); required for the `lfads` objective. With several sessions
    /// (`data:` a list) the first one.
    public var data: String?
    /// Multi-session stitching: every data file, one per session, in order (nil = one file).
    public var sessionData: [String]?
    /// Shared-storage root directory.
    public var storage: String = "."
    /// Coordination store URL (`sqlite:///…` or `postgres://…`).
    public var store: String = ""
    public var objective: Objective = .lfads
    public var seed: Int = 0
    public var population: Int = 8
    public var epochsPerGeneration: Int = 25
    /// Extra epochs in the first generation (the KL/L2 ramps). `ramp_epochs: auto`, the default, sets
    /// it to the model's ramp end (50 epochs with the LFADS defaults; 0 for the toy objective).
    public var rampEpochs: Int = 0
    public var maxGenerations: Int = 20
    /// Improvement-ratio stopping rule: stop when the relative improvement over the last
    /// `stopPatience` generation bests is ≤ `stopMinChange`. Disabled with `stopEnabled: false`.
    public var stopEnabled: Bool = true
    public var stopPatience: Int = 5
    public var stopMinChange: Double = 5e-4
    public var mode: Mode = .sync
    /// `pbt.grid_points` (grid mode): values per ranged hyperparameter; nil = as many as the population holds.
    public var gridPoints: Int?
    /// Lower scores are better (LFADS validation NLL); false for a maximised `metric`.
    public var minimize: Bool = true
    /// `pbt.metric` as written (nil = the default; optional so that runs stored before the key
    /// existed still decode).
    public var pbtMetric: PBTMetric?
    /// The metric workers report each generation.
    public var metric: PBTMetric { pbtMetric ?? .validReconSmth }
    public var exploit: ExploitStrategy = .tournament
    /// Bottom/top fraction for truncation selection.
    public var exploitFraction: Double = 0.25
    public var explore: ExploreStrategy = .perturb
    /// Probability of resampling instead of perturbing (with `explore: resample`).
    public var resampleProbability: Double = 1
    /// `pbt.start_at_defaults` as written (nil = the default; optional so that stored runs still decode).
    public var startAtDefaultsSetting: Bool?
    /// Worker 0 starts at the model's own values (the LFADS defaults with `model:` laid over them, what
    /// `autolfads train` would use) of every hyperparameter whose initial value is drawn, clamped into
    /// its range; the other workers draw theirs as usual. Not in grid mode. On by default (docs/PBT.md:
    /// it raised held-out co-bps over the drawn start on every benchmark pair measured).
    public var startAtDefaults: Bool { startAtDefaultsSetting ?? true }
    public var searchSpace: [HyperparameterConfig] = []
    /// LFADS model/training config, passed to the trainer untouched.
    public var model: JSONValue = .object([:])
    public var toy = ToyConfig()
    /// Worker processes per client (0 = number of CPU cores).
    public var slots: Int = 0
    /// Training threads per worker process (data-parallel shards); 0 = `auto` (`threads(cores:slots:)`).
    public var threadsPerSlot: Int = 0

    /// The threads each worker of this run gets on a client with `cores` cores and `slots` slots: the set
    /// `threads_per_slot`, or for `auto` the cores shared by the slots that can be busy at once (at most one
    /// job per worker runs at a time, so min(slots, population) of them): ⌊cores ÷ min(slots, population)⌋,
    /// at least 1. 20 workers on a 64-core client with 64 slots get 3 threads each; 8 workers on 2 cores, 1.
    public func threads(cores: Int, slots: Int) -> Int {
        if threadsPerSlot > 0 { return threadsPerSlot }
        return max(1, cores / max(1, min(slots, population)))
    }
    public var heartbeatInterval: Double = 5
    public var heartbeatTimeout: Double = 30
    /// Attempts per job before the worker is marked bad.
    public var maxAttempts: Int = 3
    /// A client with nothing to do exits after this many seconds (0 = never).
    public var clientIdleTimeout: Double = 0
    /// Posterior samples drawn for the best model's outputs (`lfads` objective).
    public var posteriorSamples: Int = 50
    /// `final_ensemble` as written (nil = the default; optional so that runs stored before the key existed
    /// still decode).
    public var finalEnsembleSetting: Int?
    /// How many of the run's best worker-generations (by validation score) the final step averages the
    /// posterior rates of (`lfads` objective; 1 = the best model alone). Factors, states and inferred
    /// inputs always come from the best model.
    public var finalEnsemble: Int { finalEnsembleSetting ?? 10 }
    /// `logging.tensorboard` as written (nil = default on; optional so that runs stored before the
    /// key existed still decode).
    public var logTensorBoard: Bool?
    /// Whether workers write TensorBoard event files (`logging: {tensorboard: true}`, the default).
    public var tensorBoard: Bool { logTensorBoard ?? true }
    /// `faults.final_step_timeout`: seconds the final (posterior) step may take before it is stopped and
    /// reported as failed (nil in configs stored before the key existed: the default).
    public var finalStepTimeoutSeconds: Double?
    /// The final step's time limit in seconds (default 3 hours).
    public var finalStepTimeout: Double { finalStepTimeoutSeconds ?? 10_800 }

    public init() {}

    /// The run directory in shared storage.
    public var runDirectory: String { (storage as NSString).appendingPathComponent("runs/\(name)") }

    /// Creates `runDirectory`; the error names it and the setting to fix.
    public func createRunDirectory() throws {
        do { try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true) } catch {
            let ns = error as NSError
            let reason = (ns.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription ?? ns.localizedDescription
            throw RuntimeError("cannot create the run directory \(runDirectory) (\(reason)); check `storage:` in run.yaml (or --storage) and that it is writable")
        }
        // Documentation only: a failure here (e.g. a full disk) is met, and named, by the store or storage writes that follow.
        try? RunDirectoryReadme.write(runDirectory: URL(fileURLWithPath: runDirectory), run: name, outputs: outputFileNames)
    }

    /// `lfads_output_<stem>.h5` for each data file (the `lfads` objective's final outputs in `best/`).
    public var outputFileNames: [String] {
        guard objective == .lfads else { return [] }
        return (sessionData ?? data.map { [$0] } ?? []).map {
            "lfads_output_" + (($0 as NSString).lastPathComponent as NSString).deletingPathExtension + ".h5"
        }
    }
    /// The store URL used when none is configured.
    public var defaultStoreURL: String {
        "sqlite://" + (runDirectory as NSString).appendingPathComponent("coordination.db")
    }
    /// Epochs trained in generation `g` (0-based): the first one adds the ramp.
    public func epochs(forGeneration g: Int) -> Int { epochsPerGeneration + (g == 0 ? rampEpochs : 0) }
}

import Deploy

extension RunConfig {
    /// Where this run lives, for deployment (Slurm scripts): the parsed config's name, storage and store,
    /// so that deployment uses exactly the defaults and path rules of the runtime.
    public func location(configPath: String?) -> RunLocation {
        RunLocation(name: name, storage: storage, store: store, configPath: configPath)
    }
}
