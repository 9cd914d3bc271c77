import ArgumentParser
import Engine
import FileSystem
import Foundation
import LFADSData
import LFADSModel
import TensorBoard

/// `autolfads train --data FILE [--config FILE] [--out DIR] [key=value …]`: one LFADS model.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one LFADS model and write posterior-sampled outputs.",
        discussion: "Hyperparameters come from the defaults, then --config (YAML), then key=value overrides. Keys: "
            + LFADSConfig.keys.joined(separator: ", "))

    @Option(help: "LFADS HDF5 data file (either convention). Repeat it to stitch sessions: one file per session, same bins (needs readin_dim > 0).")
    var data: [String]
    @Option(help: "YAML config file (unknown keys are errors).") var config: String?
    @Option(help: "Output folder (config.yaml, train_log.csv, checkpoints, lfads_output_*.h5).") var out = "lfads_run"
    @Flag(help: "Continue from <out>/checkpoint_last.ckpt exactly (its saved config is used).") var resume = false
    @Option(name: .customLong("init-from"), help: "Start from another run's checkpoint (weights, optimiser, epoch) with this config's hyperparameters.")
    var initFrom: String?
    @Option(help: "Train at most this many more epochs, 0…10000000 (default: until max_epochs / early stopping).") var epochs: Int?
    @Flag(name: .customLong("no-outputs"), help: "Skip posterior sampling at the end.") var noOutputs = false
    @Flag(inversion: .prefixedNo, help: "Write TensorBoard event files (the train_log.csv scalars per epoch) into --out.")
    var tensorboard = true
    @Option(name: .customLong("blas-kernel"), help: "OpenBLAS kernel: auto (SkylakeX on AVX-512), keep (inherit), or a core name.")
    var blasKernel = "auto"
    @Argument(help: "key=value hyperparameter overrides, e.g. gen_dim=100 lr_init=0.004.") var overrides: [String] = []

    func run() throws {
        guard !(resume && initFrom != nil) else { throw ValidationError("use either --resume or --init-from, not both") }
        if let epochs, !(0...LFADSConfig.Limits.epochs).contains(epochs) {
            throw DataCommandError("--epochs: \(epochs) is out of range; allowed 0…\(LFADSConfig.Limits.epochs) (0 = only write outputs)")
        }
        BLASKernel.relaunchIfNeeded(try BLASKernel.Policy(parsing: blasKernel))
        var cfg = try config.map { try LFADSConfig.load(path: $0) } ?? LFADSConfig()
        try cfg.apply(overrides: overrides)
        try cfg.validate()
        guard !data.isEmpty else { throw ValidationError("give a data file with --data FILE (repeat --data to stitch sessions)") }
        let datasets = try data.map { try LFADSReader.read($0, options: cfg.readOptions) }
        if let initFrom { _ = try CheckpointCodec.read(from: initFrom) }   // a bad checkpoint fails before --out is created
        let start: TrainingRun.Start = resume ? .resume : initFrom.map { .initFrom($0) } ?? .fresh
        let run = try TrainingRun(config: cfg, datasets: datasets, dataPaths: data, outputDir: out, start: start)
        let t = run.trainer
        let c = t.config
        let neurons = c.isStitched ? "sessions \(c.sessionEncodDims) neurons → readin \(c.readinDim), recon \(c.sessionReconDims)"
            : "enc \(c.encodDataDim)×\(c.encodSeqLen) → recon \(c.reconDataDim)"
        print("model: \(neurons)×\(c.reconSeqLen), gen \(c.genDim), fac \(c.facDim), "
              + "controller \(c.hasController ? "\(c.conDim)/\(c.coDim)" : "off"), \(t.network.store.count) parameters; start epoch \(t.epoch)")
        let progress = Progress(total: c.maxEpochs)
        // One events file per invocation (a resumed run adds a file; TensorBoard merges a folder's files).
        var events: EventFileWriter? = nil
        if tensorboard { events = try EventFileWriter(directory: out) }
        let columns = EpochRecord.trainLogColumns
        do {
            let best = try run.run(maxEpochs: epochs) { r in
                progress.show(r)
                do { try events?.add(step: r.epoch, scalars: r.tensorBoardScalars(columns: columns)) }
                catch { events = nil; FileHandle.standardError.write(Data("\n\(error); training goes on without it\n".utf8)) }
            }
            progress.finish()
            if t.history.earlyStopping.hasBest {
                print(String(format: "best valid/recon_smth %.6f after %d epochs", best, t.epoch))
            } else {
                print("no best epoch yet (the choice counts epochs at full KL/L2 weight, from epoch \(t.config.rampEndEpoch), trained by this command); after \(t.epoch) epochs the outputs use the latest")
            }
        } catch let e as TrainingError {
            progress.finish()
            throw ValidationError("\(e)")
        }
        if !noOutputs {
            for path in try run.writeOutputs(datasets: datasets) { print("wrote \(path)") }
        }
    }
}

/// One-line progress on a terminal, plain lines otherwise.
final class Progress {
    let total: Int
    let tty = isatty(STDOUT_FILENO) != 0
    init(total: Int) { self.total = total }

    func show(_ r: EpochRecord) {
        if tty {
            let width = 24, done = min(width, (r.epoch + 1) * width / max(total, 1))
            let bar = String(repeating: "█", count: done) + String(repeating: "·", count: width - done)
            print("\r[\(bar)] \(r.summary)", terminator: "")
            StandardStreams.flush()
        } else {
            print(r.summary)
        }
    }

    func finish() { if tty { print("") } }
}
