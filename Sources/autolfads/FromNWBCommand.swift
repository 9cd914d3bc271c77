import Foundation
import ArgumentParser
import LFADSData

/// `autolfads data from-nwb FILE.nwb --out lfads.h5 …`: bins an NWB 2.x file as nlb_tools does
/// and writes the lfads-torch convention file (train/valid/test splits, held-out units, forward
/// bins, behaviour, PSTHs, ground truth).
struct DataFromNWBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "from-nwb",
        abstract: "Convert an NWB 2.x file (units, trials, TimeSeries) to an lfads-torch LFADS file, binned as nlb_tools bins it.",
        discussion: """
        Spikes are binned at 1 ms (nlb_tools' truncation) and summed into --bin-ms bins; bins outside the \
        units' obs_intervals are NaN. Trials come from /intervals/trials and its `split` column \
        (train/val/test); without one, --valid-fraction of the trials become validation trials. \
        Without --window each whole trial is taken and shorter trials are padded with NaN at the end.
        """)

    @Argument(help: "The NWB file (read-only).")
    var file: String

    @Option(help: "Output LFADS .h5 path (written atomically).")
    var out: String

    @Option(name: .customLong("bin-ms"), help: "Bin width in ms (a whole number).")
    var binMs: Double = 5

    @Option(help: "Trials column to align to (event times in s). Default: the trial start; needs --window.")
    var align: String?

    @Option(parsing: .unconditional, help: "Window START:END in ms around the event, e.g. -250:450 (length a multiple of --bin-ms). Default: each whole trial, padded with NaN.")
    var window: String?

    @Option(name: .customLong("heldout-units"), help: "nwb (the units' heldout column; the default when present), auto:FRACTION (chosen by --seed), a comma list of unit ids, or none.")
    var heldoutUnits: String?

    @Option(name: .customLong("forward-bins"), help: "Bins after the window added to the reconstruction targets.")
    var forwardBins: Int = 0

    @Option(parsing: .upToNextOption, help: "TimeSeries to write as *_behavior (nlb_tools names, e.g. hand_vel; several allowed).")
    var behavior: [String] = []

    @Option(name: .customLong("behavior-lag"), help: "Behaviour is taken this many ms later than the spikes (nlb_tools' lag).")
    var behaviorLag: Int = 0

    @Option(parsing: .upToNextOption, help: "Trials columns defining PSTH conditions (e.g. trial_type trial_version).")
    var condition: [String] = []

    @Option(name: .customLong("psth-kern-ms"), help: "Gaussian kernel SD in ms for the PSTHs.")
    var psthKernMs: Double = 50

    @Option(name: .customLong("valid-fraction"), help: "Fraction of trials used for validation when the file has no split column.")
    var validFraction: Double = 0.2

    @Option(help: "Seed for auto held-out units and the validation split.")
    var seed: UInt64 = 0

    @Option(name: .customLong("truth-rates"), help: "Ground-truth rates series (Hz, one channel per unit). Default: `rates` of the processing module `truth` if present; none to skip.")
    var truthRates: String?

    @Option(name: .customLong("truth-latents"), help: "Ground-truth latents series. Default: `latents` of the processing module `truth` if present; none to skip.")
    var truthLatents: String?

    func run() throws {
        var o = NWBConversionOptions()
        o.binMs = binMs
        o.alignField = align
        o.window = try window.map(NWBConversionOptions.parseWindow)
        if let heldoutUnits { o.heldOut = try NWBConversionOptions.parseHeldOut(heldoutUnits) }
        o.forwardBins = forwardBins
        o.behavior = behavior
        o.behaviorLagMs = behaviorLag
        o.conditionFields = condition.flatMap { $0.split(separator: ",").map(String.init) }
        o.psthKernelMs = psthKernMs
        o.validFraction = validFraction
        o.seed = seed
        o.truthRates = NWBConversionOptions.parseSeriesChoice(truthRates)
        o.truthLatents = NWBConversionOptions.parseSeriesChoice(truthLatents)
        let c = try NWBConverter.convert(file, to: out, options: o)
        let d = c.dataset, a = c.attributes
        var parts = ["train \(d.trialCount(.train)) / valid \(d.trialCount(.valid)) / test \(d.trialCount(.test)) trials",
                     "\(c.windowBins) bins of \(Int(a.binMs)) ms" + (a.forwardBins > 0 ? " + \(a.forwardBins) forward" : ""),
                     "\(a.heldinUnits.count) held-in + \(a.heldoutUnits.count) held-out units"]
        if !a.behaviorNames.isEmpty { parts.append("behaviour \(a.behaviorNames.joined(separator: ","))") }
        if c.conditionCount > 0 { parts.append("\(c.conditionCount) PSTH conditions") }
        if let r = c.truthRatesSeries { parts.append("truth \(r)") }
        if c.skippedTrials > 0 { parts.append("\(c.skippedTrials) trials in no split skipped") }
        print("wrote \(out): " + parts.joined(separator: ", "))
    }
}
