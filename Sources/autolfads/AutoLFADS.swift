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

    /// Parses and runs the command on the main actor: synchronous subcommands (train, worker, container,
    /// slurm, …) run on the main thread, as a plain `ParsableCommand` would, not on a pool thread whose
    /// blocked signals child processes started through Foundation would inherit; awaiting subcommands
    /// run their `async` body.
    @MainActor static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// `autolfads data …`: inspect and generate LFADS data files.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect and generate LFADS HDF5 data files.",
        subcommands: [DataInspectCommand.self, DataSynthCommand.self, DataFromNWBCommand.self]
    )
}
