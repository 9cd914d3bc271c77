/// Which latent dynamics drive the synthetic NLB-style recording.
public enum NLBSynthLatentKind: String, Sendable, CaseIterable {
    /// The 3-D Lorenz system (the Lorenz benchmark's RK4 integrator), z-scored.
    case lorenz
    /// A chaotic rate network (the chaotic-RNN benchmark's update, no input pulses); the
    /// latents are its unit activities tanh(x), centred per unit and scaled by their pooled s.d.
    case chaoticRNN = "chaotic-rnn"
}

/// Settings of `NLBSynthGenerator` (`autolfads data synth nlb`). Times are whole milliseconds.
///
/// A continuous session of `trials` trials, each `trialMs` long and followed by a `gapMs`
/// gap (the session also starts with one). Each trial has a condition (balanced over
/// `conditions`); its latents sit at the condition's initial point until `moveOnsetMs` after
/// the trial start, then follow the condition's path (so alignment to `move_onset_time`
/// matters). Between trials the latents are 0 (their mean).
/// `ln rate_Hz = z·W + ln(baseRateHz)` with W ~ U(−1, 1) (neurons × L), each unit's column
/// rescaled so that its log-rate has s.d. `logRateSD` over the condition paths, or less where
/// it would stray more than `maxLogRateDeviation` from ln(baseRateHz) (rates stay within
/// baseRateHz·e^±3 = 0.4…161 Hz by default); spikes are
/// Poisson per 1 ms bin, their times placed on a 0.1 ms grid inside the bin.
/// `hand_vel` = z(t − behaviorLagMs)·B + noise, B ~ N(0, 1) (L × 2), each column rescaled to
/// s.d. `behaviorGain` over the paths.
public struct NLBSynthConfig: Sendable, Equatable {
    public var seed: UInt64 = 0
    public var trials = 200
    public var neurons = 40
    /// Held-out units (a random subset); nil = a quarter of the units, rounded.
    public var heldoutNeurons: Int?
    public var latents: NLBSynthLatentKind = .lorenz
    /// Conditions: initial points of the latents. `trial_type` = condition / versionsPerType,
    /// `trial_version` = condition % versionsPerType.
    public var conditions = 8
    public var versionsPerType = 2
    public var baseRateHz = 8.0
    /// Standard deviation of each unit's log-rate over the latent paths.
    public var logRateSD = 1.0
    /// Largest |ln rate − ln baseRateHz| any unit reaches.
    public var maxLogRateDeviation = 3.0
    public var trialMs: ClosedRange<Int> = 1000...1100
    public var gapMs: ClosedRange<Int> = 100...300
    /// Movement onset after the trial start.
    public var moveOnsetMs: ClosedRange<Int> = 250...450
    /// Fractions of trials in the `val` and `test` splits (the rest is `train`).
    public var validFraction = 0.15
    public var testFraction = 0.15
    /// Sampling interval of the stored truth (`/processing/truth/rates`, `latents`): each
    /// sample is the mean over [t, t + truthBinMs).
    public var truthBinMs = 5
    public var behaviorLagMs = 100
    /// Standard deviation (mm/s) of each hand-velocity component's signal, and of its noise.
    public var behaviorGain = 100.0
    public var behaviorNoise = 10.0
    /// Lorenz time units per second of session time.
    public var lorenzSpeed = 2.0
    /// Chaotic RNN: units (= latent dimension), gain g and time constant.
    public var rnnUnits = 20
    public var rnnGain = 1.5
    public var rnnTauMs = 25.0
    /// Deflate level of the large datasets (1…9).
    public var gzip = 4

    public init() {}

    /// The number of held-out units this configuration gives.
    public var heldoutCount: Int { heldoutNeurons ?? Int((Double(neurons) / 4).rounded()) }

    /// Latent dimension L.
    public var latentDim: Int { latents == .lorenz ? 3 : rnnUnits }

    /// Bins of each condition's latent path: the longest post-onset stretch of a trial.
    var pathBins: Int { trialMs.upperBound - moveOnsetMs.lowerBound }

    /// Throws a one-line error naming the setting and the fix.
    func validate() throws {
        func fail(_ key: String, _ problem: String) -> DataFileError { DataFileError(path: "synth nlb", key: key, problem) }
        guard trials >= 3 else { throw fail("trials", "needs at least 3 trials (train, val and test), got \(trials)") }
        guard neurons >= 2 else { throw fail("neurons", "needs at least 2 units, got \(neurons)") }
        guard trials.multipliedReportingOverflow(by: neurons).partialValue <= 500_000, trials <= 100_000, neurons <= 100_000 else {
            throw fail("trials", "\(trials) trials × \(neurons) units is too large a session (limit 500000 unit-trials); use fewer")
        }
        guard (1..<neurons).contains(heldoutCount) else {
            throw fail("heldout", "\(heldoutCount) held-out units must be between 1 and \(neurons - 1) (neurons − 1)")
        }
        guard conditions >= 1, versionsPerType >= 1 else { throw fail("conditions", "must be positive, got \(conditions)") }
        guard latents == .lorenz || rnnUnits >= 2 else { throw fail("rnnUnits", "needs at least 2 network units") }
        guard trialMs.lowerBound > 0, gapMs.lowerBound > 0, truthBinMs > 0 else {
            throw fail("trialMs/gapMs/truthBinMs", "must be positive")
        }
        // nlb_tools' mc_maze window is move onset −250…+450 ms, plus 200 ms of forward prediction.
        guard moveOnsetMs.lowerBound >= 250,
              moveOnsetMs.upperBound + 650 <= trialMs.lowerBound + gapMs.lowerBound,
              moveOnsetMs.upperBound < trialMs.lowerBound else {
            throw fail("moveOnsetMs", "\(moveOnsetMs) must start ≥ 250 ms and end ≥ 650 ms before the earliest next trial start (trial \(trialMs.lowerBound) + gap \(gapMs.lowerBound) ms)")
        }
        guard validFraction >= 0, testFraction >= 0, validFraction + testFraction < 1 else {
            throw fail("validFraction/testFraction", "must be non-negative and sum to less than 1")
        }
        guard baseRateHz > 0, baseRateHz.isFinite, logRateSD >= 0, maxLogRateDeviation > 0, maxLogRateDeviation <= 10, lorenzSpeed > 0, rnnTauMs >= 1 else {
            throw fail("baseRateHz/logRateSD/maxLogRateDeviation/lorenzSpeed/rnnTauMs", "must be positive (maxLogRateDeviation ≤ 10, rnnTauMs ≥ 1)")
        }
        guard (1...9).contains(gzip) else { throw fail("gzip", "deflate level \(gzip) is outside 1…9") }
    }
}
