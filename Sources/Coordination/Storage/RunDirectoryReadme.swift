import Foundation
import FileSystem

/// `README.txt` of a run directory: what every file and folder in it is. Written (atomically) when
/// the run directory is created or opened, and refreshed by the report. Each described entry is one
/// line `  <name>  <description>`, `<…>` marking the variable part of a name.
public enum RunDirectoryReadme {
    /// The file's name in the run directory.
    public static let fileName = "README.txt"

    /// (entry, description) for the run directory itself, then the folders inside it.
    public static let sections: [(title: String, entries: [(name: String, about: String)])] = [
        ("Files and folders of this run directory", [
            ("README.txt", "this file"),
            ("run.resolved.yaml", "the run's effective config (the stored one, every key explicit): a run.yaml that reproduces this run"),
            ("coordination.db", "SQLite coordination store: runs, workers, jobs, processes, events (absent with PostgreSQL)"),
            ("coordination.db-wal", "SQLite write-ahead log of coordination.db (kept while the store is open)"),
            ("coordination.db-shm", "SQLite shared-memory index of the write-ahead log"),
            ("decisions.csv", "one row per worker and generation: PBT action (keep/exploit), parent, scores, old and new hyperparameters"),
            ("hp_log.csv", "one row per worker and generation: the hyperparameters it trained with and its score (pbt.metric)"),
            ("client-<N>.log", "log of client process N started by `autolfads run`"),
            ("report.html", "self-contained HTML report (`autolfads report`, written at the end of a run)"),
            ("report-figures/", "the report's figures as SVG files"),
            ("best/", "the best model: checkpoint, hyperparameters, metrics and the posterior-sampled outputs (rates averaged over final_ensemble models)"),
            ("workers/", "one folder per worker, one subfolder per generation; TensorBoard event files per worker"),
        ]),
        ("best/", [
            ("checkpoint.bin", "the best worker-generation's checkpoint (checksummed container, docs/STORAGE.md)"),
            ("hps.json", "its hyperparameters"),
            ("metrics.csv", "its per-epoch metrics"),
            ("result.json", "its outcome (score, epochs, seconds, starting checkpoint)"),
            ("posterior-job.json", "the posterior-sampling job that wrote the outputs below, as handed to the worker process"),
            ("posterior.log", "log of the posterior-sampling step"),
            ("lfads_output_<stem>.h5", "outputs per data file <stem>.h5: a copy of the input plus {train,valid,test}_output_params (rates: the mean over the run's final_ensemble best worker-generations, named by the file's rates_ensemble attribute; test when the data has a test split), the best model's factors, ic/co posteriors, generator states"),
            ("evaluation.json", "NLB metrics of the outputs (`autolfads evaluate` or the report)"),
            ("summary.json", "run summary: status, best worker and score, generations, final-step error if any"),
        ]),
        ("workers/w<NNN>/", [
            ("g<NNN>/", "generation NNN of this worker (files below)"),
            ("events.out.tfevents.<time>.<host>.<pid>.<generation>", "TensorBoard event file of one generation: epoch scalars (step = epoch), pbt/<metric> and hp/<name> (step = generation); `tensorboard --logdir` this run directory"),
        ]),
        ("workers/w<NNN>/g<NNN>/", [
            (".job-<attempt>.json", "the job as handed to the worker process, per attempt: epochs, hyperparameters, starting checkpoints, run config"),
            ("checkpoint.bin", "checkpoint at the end of the generation"),
            ("hps.json", "hyperparameters of this generation"),
            ("metrics.csv", "per-epoch metrics (train/valid recon, KL, L2, lr, seconds, gradient norm before clipping)"),
            ("result.json", "outcome: score, epochs, seconds, starting checkpoint (its presence means the job succeeded)"),
            ("log.txt", "the worker process's log"),
        ]),
    ]

    /// The README text for run `run`; `outputs` are the model-output file names in `best/` when known.
    public static func text(run: String, outputs: [String] = []) -> String {
        var out = "AutoLFADS run '\(run)'\n\n"
        out += "View training curves of the whole population: tensorboard --logdir <this directory>\n"
        out += "Progress: autolfads status; report: autolfads report <this directory>\n"
        if !outputs.isEmpty {
            out += "Model outputs (HDF5; load with h5py or MATLAB h5read, see report.html): "
                + outputs.map { "best/" + $0 }.joined(separator: ", ") + "\n"
        }
        for section in sections {
            out += "\n\(section.title)\n"
            let width = min(34, section.entries.map(\.name.count).max() ?? 0)
            for e in section.entries {
                out += "  " + e.name.padding(toLength: max(width, e.name.count), withPad: " ", startingAt: 0) + "  " + e.about + "\n"
            }
        }
        return out
    }

    /// Writes `<runDirectory>/README.txt` atomically.
    public static func write(runDirectory: URL, run: String, outputs: [String] = []) throws {
        try AtomicFile.write(Data(text(run: run, outputs: outputs).utf8), to: runDirectory.appendingPathComponent(fileName))
    }
}
