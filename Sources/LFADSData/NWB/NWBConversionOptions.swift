import Foundation

/// Options of `autolfads data from-nwb` (`NWBConverter.convert`). Times are in milliseconds.
public struct NWBConversionOptions: Sendable, Equatable {
    /// Which units are held out (reconstructed but not given to the encoder).
    public enum HeldOut: Sendable, Equatable {
        /// The units table's `heldout` column when present, else none.
        case automatic
        /// The `heldout` column (an error if the table has none).
        case nwbColumn
        /// `round(fraction · units)` units chosen by `seed` (reproducible).
        case fraction(Double)
        /// These NWB unit ids (`units/id`).
        case ids([Int])
        /// Every unit is held in.
        case none
    }

    /// A ground-truth series: found by default, named, or switched off.
    public enum SeriesChoice: Sendable, Equatable {
        /// The series of that name in the processing module `truth`, if there is one.
        case automatic
        case named(String)
        case none
    }

    /// An alignment window `start ..< end` ms around the alignment event.
    public struct Window: Sendable, Equatable {
        public var startMs: Int
        public var endMs: Int
        public init(startMs: Int, endMs: Int) { self.startMs = startMs; self.endMs = endMs }
        /// "START:END".
        public var description: String { "\(startMs):\(endMs)" }
    }

    /// Bin width (ms, a whole number ≥ 1; nlb_tools' 1 ms bins summed in groups).
    public var binMs: Double = 5
    /// Trials column the window is aligned to (nil: the trial start, `start_time`).
    public var alignField: String?
    /// Window around the event; nil: each whole trial (start_time … stop_time), padded with NaN
    /// at the end to the longest trial (forward bins then follow the padding, taken right after
    /// each trial's stop_time). `alignField` needs a window.
    public var window: Window?
    public var heldOut: HeldOut = .automatic
    /// Bins after the window appended to the reconstruction targets (forward prediction).
    public var forwardBins: Int = 0
    /// TimeSeries names (as nlb_tools names them) written as `*_behavior`, channels concatenated.
    public var behavior: [String] = []
    /// Behaviour is taken `lag` ms later than the spikes (nlb_tools' `lag`).
    public var behaviorLagMs: Int = 0
    /// Trials columns whose value combinations define the PSTH conditions.
    public var conditionFields: [String] = []
    /// Gaussian kernel SD (ms) for the PSTHs.
    public var psthKernelMs: Double = 50
    /// Fraction of trials made validation trials when the file has no `split` column.
    public var validFraction: Double = 0.2
    /// Seed for `HeldOut.fraction` and the validation split.
    public var seed: UInt64 = 0
    /// Ground-truth rates (Hz, all units in table order), written as counts per bin.
    public var truthRates: SeriesChoice = .automatic
    /// Ground-truth latents.
    public var truthLatents: SeriesChoice = .automatic

    public init() {}

    /// Parses `--heldout-units`: `nwb`, `auto:FRACTION`, `none` or a comma list of unit ids.
    public static func parseHeldOut(_ text: String) throws -> HeldOut {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch t.lowercased() {
        case "nwb": return .nwbColumn
        case "none": return .none
        default: break
        }
        if t.lowercased().hasPrefix("auto:") {
            guard let f = Double(t.dropFirst(5)), f > 0, f < 1 else {
                throw NWBOptionError("--heldout-units \(text): the fraction after auto: must be a number between 0 and 1, e.g. auto:0.25")
            }
            return .fraction(f)
        }
        let parts = t.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let ids = parts.compactMap { Int($0) }
        guard !parts.isEmpty, ids.count == parts.count else {
            throw NWBOptionError("--heldout-units \(text): expected nwb, none, auto:FRACTION or a comma list of unit ids such as 3,7,12")
        }
        return .ids(ids)
    }

    /// Parses `--window START:END` (ms, integers, START < END).
    public static func parseWindow(_ text: String) throws -> Window {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let b = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw NWBOptionError("--window \(text): expected START:END in whole milliseconds, e.g. -250:450")
        }
        guard a < b else { throw NWBOptionError("--window \(text): START must be less than END") }
        // A day either side of the event is far beyond any trial; the bound keeps the ms arithmetic exact.
        let limit = 86_400_000
        guard abs(a) <= limit, abs(b) <= limit else {
            throw NWBOptionError("--window \(text): START and END must be within ±\(limit) ms (a day) of the event")
        }
        return Window(startMs: a, endMs: b)
    }

    /// Parses a ground-truth series option: `none` switches it off, anything else names a series.
    public static func parseSeriesChoice(_ text: String?) -> SeriesChoice {
        guard let text else { return .automatic }
        return text.lowercased() == "none" ? .none : .named(text)
    }

    /// Checks the options on their own; returns the bin as a whole number of 1 ms rows.
    func validatedFactor() throws -> Int {
        guard binMs.isFinite, binMs >= 1, binMs == binMs.rounded(), binMs <= 1_000_000 else {
            throw NWBOptionError("--bin-ms \(binMs): the bin must be a whole number of milliseconds ≥ 1 (nlb_tools bins at 1 ms and sums)")
        }
        let f = Int(binMs)
        if let w = window {
            guard (w.endMs - w.startMs) % f == 0 else {
                throw NWBOptionError("--window \(w.description): its length \(w.endMs - w.startMs) ms is not a multiple of --bin-ms \(f); adjust START or END")
            }
        } else if alignField != nil {
            throw NWBOptionError("--align \(alignField!) needs --window START:END (ms around the event)")
        }
        guard forwardBins >= 0, forwardBins <= 100_000 else { throw NWBOptionError("--forward-bins \(forwardBins): must be between 0 and 100000") }
        guard psthKernelMs.isFinite, psthKernelMs >= 1, psthKernelMs <= 100_000 else {
            throw NWBOptionError("--psth-kern-ms \(psthKernelMs): the kernel SD must be at least 1 ms")
        }
        guard validFraction.isFinite, validFraction >= 0, validFraction < 1 else {
            throw NWBOptionError("--valid-fraction \(validFraction): must be in [0, 1)")
        }
        guard abs(behaviorLagMs) <= 100_000 else { throw NWBOptionError("--behavior-lag \(behaviorLagMs): must be within ±100000 ms") }
        return f
    }
}

/// A bad option of `autolfads data from-nwb` (one line naming the option and the fix).
public struct NWBOptionError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}
