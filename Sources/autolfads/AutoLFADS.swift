import ArgumentParser

/// The `autolfads` command line: one entry point for runs, training, data and benchmarks.
@main
struct AutoLFADSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autolfads",
        abstract: "LFADS with automatic hyperparameter search (Population Based Training).",
        subcommands: [DataCommand.self, TrainCommand.self, BenchCommand.self, RunCommand.self, ServerCommand.self, ClientCommand.self, StatusCommand.self, WorkerCommand.self]
    )
}

/// `autolfads data …`: inspect and generate LFADS data files.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect and generate LFADS HDF5 data files.",
        subcommands: [DataInspectCommand.self, DataSynthCommand.self]
    )
}
