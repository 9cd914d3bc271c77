import ArgumentParser

/// The `autolfads` command line: one entry point for runs, training, data and benchmarks.
@main
struct AutoLFADSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autolfads",
        abstract: "LFADS with automatic hyperparameter search (Population Based Training).",
        subcommands: [RunCommand.self, ServerCommand.self, ClientCommand.self, StatusCommand.self, TrainCommand.self,
                      DataCommand.self, EvaluateCommand.self, DashboardCommand.self, ReportCommand.self, BenchCommand.self,
                      SlurmCommand.self, ContainerCommand.self, WorkerCommand.self]
    )
}

/// `autolfads data …`: inspect and generate LFADS data files.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect and generate LFADS HDF5 data files.",
        subcommands: [DataInspectCommand.self, DataSynthCommand.self, DataFromNWBCommand.self]
    )
}
