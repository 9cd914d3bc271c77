/// One trial of a synthetic NLB-style session (times in whole ms from the session start).
public struct NLBSynthTrial: Sendable, Equatable {
    public var startMs: Int
    public var stopMs: Int
    public var moveOnsetMs: Int
    public var condition: Int
    /// `train`, `val` or `test`.
    public var split: String
}

/// The content of a synthetic NLB (mc_maze-like) recording, in memory.
public struct NLBSynthRecording: Sendable {
    public let config: NLBSynthConfig
    /// Session length; every series covers [0, durationMs) and it is a multiple of truthBinMs.
    public let durationMs: Int
    public let trials: [NLBSynthTrial]
    /// Per unit (NWB row order): held out or not.
    public let heldout: [Bool]
    /// Per unit: sorted spike times in seconds (multiples of 0.1 ms).
    public let spikeTimes: [[Double]]
    /// Per unit: the expected spike count over the session, Σ rate·dt.
    public let expectedCounts: [Double]
    /// durationMs × 2 (x, y) in mm/s, sample i at i ms.
    public let handVel: [Float]
    /// (durationMs / truthBinMs) × neurons, Hz: mean rate over each truth bin.
    public let truthRates: [Float]
    /// (durationMs / truthBinMs) × latentDim: mean latent over each truth bin.
    public let truthLatents: [Float]

    public var latentDim: Int { config.latentDim }
    public var truthSamples: Int { durationMs / config.truthBinMs }
    public var spikeCounts: [Int] { spikeTimes.map(\.count) }
    public func trialCount(split: String) -> Int { trials.filter { $0.split == split }.count }
}

/// Generates the synthetic NLB-style session (deterministic in the config); see
/// `NLBSynthConfig` for the model and `NLBSynthWriter` for the NWB file.
public enum NLBSynthGenerator {
    public static func generate(_ c: NLBSynthConfig) throws -> NLBSynthRecording {
        try c.validate()
        var rng = SeededRandom(seed: c.seed)
        let L = c.latentDim, N = c.neurons, P = c.pathBins
        let paths = latentPaths(c, rng: &rng)                       // conditions × P × L
        let readout = normalised((0..<(N * L)).map { _ in rng.uniform(-1, 1) }, outputs: N, paths: paths, L: L,
                                 sd: c.logRateSD, maxAbs: c.maxLogRateDeviation)
        let behavior = transposed(normalised(transposed((0..<(L * 2)).map { _ in rng.normal() }, rows: L, columns: 2),
                                             outputs: 2, paths: paths, L: L, sd: c.behaviorGain), rows: 2, columns: L)
        let trials = makeTrials(c, rng: &rng)
        let durationMs = sessionEnd(lastStop: trials.last.map { $0.stopMs } ?? 0, gap: c.gapMs.upperBound, bin: c.truthBinMs)
        let heldoutSet = Set(rng.permutation(N).prefix(c.heldoutCount))
        let heldout = (0..<N).map { heldoutSet.contains($0) }

        // Latent and rate tables: row 0 = between trials (z = 0), row 1 + cond·P + k = path bin k.
        let rows = 1 + c.conditions * P
        guard rows < Int(Int32.max) else {
            throw DataFileError(path: "synth nlb", key: "conditions", "\(c.conditions) conditions × \(P) ms paths is too many; use fewer conditions")
        }
        let zTable = [Double](repeating: 0, count: L) + paths
        let lambda = spikeRates(zTable, readout: readout, rows: rows, N: N, L: L, baseRateHz: c.baseRateHz)
        let rowAt = rowIndex(trials, durationMs: durationMs, pathBins: P)
        let (spikes, expected) = drawSpikes(lambda, rowAt: rowAt, N: N, rng: &rng)
        let handVel = handVelocity(zTable, behavior: behavior, rowAt: rowAt, c, rng: &rng)
        let (rates, lat) = truthMeans(lambda, zTable, rowAt: rowAt, c)
        return NLBSynthRecording(config: c, durationMs: durationMs, trials: trials, heldout: heldout,
                                 spikeTimes: spikes, expectedCounts: expected, handVel: handVel,
                                 truthRates: rates, truthLatents: lat)
    }

    /// Expected spikes per 1 ms bin, rows × N: exp(z·w + ln baseRateHz) / 1000.
    static func spikeRates(_ z: [Double], readout: [Double], rows: Int, N: Int, L: Int, baseRateHz: Double) -> [Double] {
        let logBase = DetMath.log(baseRateHz)
        var lambda = [Double](repeating: 0, count: rows * N)
        for r in 0..<rows {
            for n in 0..<N {
                var s = logBase
                for l in 0..<L { s += z[r * L + l] * readout[n * L + l] }
                lambda[r * N + n] = DetMath.exp(s) / 1000
            }
        }
        return lambda
    }

    /// Poisson counts per unit and ms, each spike at a random 0.1 ms step inside its ms; also
    /// the expected count per unit.
    static func drawSpikes(_ lambda: [Double], rowAt: [Int32], N: Int, rng: inout SeededRandom) -> ([[Double]], [Double]) {
        let expNeg = lambda.map { DetMath.exp(-$0) }
        var spikes = [[Double]](repeating: [], count: N)
        var expected = [Double](repeating: 0, count: N)
        var offsets: [Int] = []
        for ms in 0..<rowAt.count {
            let base = Int(rowAt[ms]) * N
            for n in 0..<N {
                let lam = lambda[base + n]
                expected[n] += lam
                let k = lam <= 30 ? rng.poissonSmall(lam, expNeg: expNeg[base + n]) : rng.poisson(lam)
                guard k > 0 else { continue }
                offsets.removeAll(keepingCapacity: true)
                for _ in 0..<k { offsets.append(rng.int(below: 10)) }
                offsets.sort()
                for o in offsets { spikes[n].append(Double(ms * 10 + o) / 10_000) }
            }
        }
        return (spikes, expected)
    }

    /// Hand velocity per ms (× 2): the latents behaviorLagMs earlier read out by B, plus noise.
    static func handVelocity(_ z: [Double], behavior: [Double], rowAt: [Int32], _ c: NLBSynthConfig,
                             rng: inout SeededRandom) -> [Float] {
        let L = c.latentDim
        var handVel = [Float](repeating: 0, count: rowAt.count * 2)
        for ms in 0..<rowAt.count {
            let r = ms >= c.behaviorLagMs ? Int(rowAt[ms - c.behaviorLagMs]) : 0
            for d in 0..<2 {
                var v = 0.0
                for l in 0..<L { v += z[r * L + l] * behavior[l * 2 + d] }
                handVel[ms * 2 + d] = Float(v + rng.normal() * c.behaviorNoise)
            }
        }
        return handVel
    }

    /// Rates (Hz) and latents averaged over each truthBinMs bin.
    static func truthMeans(_ lambda: [Double], _ z: [Double], rowAt: [Int32], _ c: NLBSynthConfig) -> ([Float], [Float]) {
        let N = c.neurons, L = c.latentDim, bin = c.truthBinMs, samples = rowAt.count / bin
        var rates = [Float](repeating: 0, count: samples * N), lat = [Float](repeating: 0, count: samples * L)
        var accR = [Double](repeating: 0, count: N), accZ = [Double](repeating: 0, count: L)
        for s in 0..<samples {
            for i in 0..<N { accR[i] = 0 }
            for i in 0..<L { accZ[i] = 0 }
            for ms in (s * bin)..<((s + 1) * bin) {
                let r = Int(rowAt[ms])
                for n in 0..<N { accR[n] += lambda[r * N + n] }
                for l in 0..<L { accZ[l] += z[r * L + l] }
            }
            for n in 0..<N { rates[s * N + n] = Float(accR[n] * 1000 / Double(bin)) }
            for l in 0..<L { lat[s * L + l] = Float(accZ[l] / Double(bin)) }
        }
        return (rates, lat)
    }

    // MARK: - pieces

    /// Normalised latent paths, conditions × pathBins × L at 1 ms per bin.
    static func latentPaths(_ c: NLBSynthConfig, rng: inout SeededRandom) -> [Double] {
        switch c.latents {
        case .lorenz:
            var lc = LorenzConfig()
            lc.conditions = c.conditions
            lc.bins = c.pathBins
            lc.timePerBin = c.lorenzSpeed / 1000
            lc.substeps = 1
            lc.burnInBins = Int((10 / lc.timePerBin).rounded())     // 10 Lorenz time units
            return LorenzGenerator.latents(lc, rng: &rng)
        case .chaoticRNN:
            let n = c.rnnUnits, P = c.pathBins
            let w = (0..<(n * n)).map { _ in rng.normal() / Double(n).squareRoot() }
            let alpha = 1 / c.rnnTauMs
            var raw = [Double](repeating: 0, count: c.conditions * P * n)
            var next = [Double](repeating: 0, count: n), scratch = next
            for cond in 0..<c.conditions {
                var x = (0..<n).map { _ in rng.normal() }
                for t in 0..<P {
                    if t > 0 {
                        ChaoticRNNGenerator.step(x, into: &next, scratch: &scratch, weights: w, alpha: alpha, gain: c.rnnGain)
                        swap(&x, &next)
                    }
                    for i in 0..<n { raw[(cond * P + t) * n + i] = DetMath.tanh(x[i]) }
                }
            }
            return centreAndPoolScale(raw, columns: n)
        }
    }

    /// Rows of `weights` (outputs × L) rescaled so that each output z·w has standard deviation
    /// `sd` over all the latent path bins, or less where that would make |z·w| exceed `maxAbs`
    /// in some bin (a constant output is left as it is).
    static func normalised(_ weights: [Double], outputs: Int, paths: [Double], L: Int, sd: Double,
                           maxAbs: Double = .infinity) -> [Double] {
        let bins = paths.count / L
        var w = weights
        for o in 0..<outputs {
            var sum = 0.0, sumSq = 0.0, peak = 0.0
            for b in 0..<bins {
                var v = 0.0
                for l in 0..<L { v += paths[b * L + l] * weights[o * L + l] }
                sum += v; sumSq += v * v; peak = max(peak, abs(v))
            }
            let mean = sum / Double(max(1, bins))
            let s = max(0, sumSq / Double(max(1, bins)) - mean * mean).squareRoot()
            guard s > 0, peak > 0 else { continue }
            let k = min(sd / s, maxAbs / peak)
            for l in 0..<L { w[o * L + l] = weights[o * L + l] * k }
        }
        return w
    }

    static func transposed(_ x: [Double], rows: Int, columns: Int) -> [Double] {
        var out = x
        for r in 0..<rows { for c in 0..<columns { out[c * rows + r] = x[r * columns + c] } }
        return out
    }

    /// Subtracts each column's mean and divides every column by one pooled standard deviation
    /// (per-column z-scoring would blow up nearly saturated units).
    static func centreAndPoolScale(_ x: [Double], columns: Int) -> [Double] {
        let rows = x.count / columns
        guard rows > 0 else { return x }
        var mean = [Double](repeating: 0, count: columns)
        for r in 0..<rows { for j in 0..<columns { mean[j] += x[r * columns + j] } }
        for j in 0..<columns { mean[j] /= Double(rows) }
        var v = 0.0
        for r in 0..<rows { for j in 0..<columns { let d = x[r * columns + j] - mean[j]; v += d * d } }
        let sd = (v / Double(x.count)).squareRoot()
        return x.indices.map { sd > 0 ? (x[$0] - mean[$0 % columns]) / sd : 0 }
    }

    /// Balanced conditions in random order, random durations, onsets, gaps and splits.
    static func makeTrials(_ c: NLBSynthConfig, rng: inout SeededRandom) -> [NLBSynthTrial] {
        let order = rng.permutation(c.trials)
        var trials: [NLBSynthTrial] = []
        var t = draw(c.gapMs, &rng)
        for i in 0..<c.trials {
            let length = draw(c.trialMs, &rng)
            trials.append(NLBSynthTrial(startMs: t, stopMs: t + length, moveOnsetMs: t + draw(c.moveOnsetMs, &rng),
                                        condition: order[i] % c.conditions, split: "train"))
            t += length + (i + 1 < c.trials ? draw(c.gapMs, &rng) : 0)
        }
        let perm = rng.permutation(c.trials)
        func count(_ f: Double) -> Int { f > 0 ? max(1, Int((f * Double(c.trials)).rounded())) : 0 }
        let nTest = count(c.testFraction), nVal = min(count(c.validFraction), c.trials - 1 - nTest)
        for (k, i) in perm.enumerated() where k < nTest + nVal { trials[i].split = k < nTest ? "test" : "val" }
        return trials
    }

    /// The session end: a final gap after the last trial, rounded up to a multiple of `bin`.
    private static func sessionEnd(lastStop: Int, gap: Int, bin: Int) -> Int {
        let end = lastStop + gap
        return (end + bin - 1) / bin * bin
    }

    /// Table row per ms: 0 between trials, else 1 + condition·pathBins + max(0, ms − onset).
    private static func rowIndex(_ trials: [NLBSynthTrial], durationMs: Int, pathBins: Int) -> [Int32] {
        var rows = [Int32](repeating: 0, count: durationMs)
        for tr in trials {
            for ms in tr.startMs..<tr.stopMs {
                rows[ms] = Int32(1 + tr.condition * pathBins + max(0, ms - tr.moveOnsetMs))
            }
        }
        return rows
    }

    private static func draw(_ range: ClosedRange<Int>, _ rng: inout SeededRandom) -> Int {
        range.lowerBound + rng.int(below: range.count)
    }
}
