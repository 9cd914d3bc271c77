import ArgumentParser
import FileSystem
import Foundation
import Runtime

/// `autolfads-bench`, run as `autolfads bench …`: performance measurements (printed, never asserted).
/// A program of its own so that the shipped `autolfads` does not carry the benchmark code or the
/// allocation-counting malloc; `autolfads bench` starts it from the same folder.
@main
struct AutoLFADSBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autolfads bench",
        abstract: "Measure performance (engine kernels, training, observation models, PBT simulation, coordination store, runtime, dashboard).",
        subcommands: [EngineBenchCommand.self, TrainBenchCommand.self, ObsBenchCommand.self, StitchBenchCommand.self, PBTSimBenchmarkCommand.self,
                      BenchStoreCommand.self, BenchRuntimeCommand.self, DashboardBenchCommand.self, VersusSingleBenchCommand.self,
                      SearchBenchCommand.self, RunToQualityBenchCommand.self]
    )

    /// Synchronous benchmarks run on the main thread (as in `autolfads`), asynchronous ones await.
    @MainActor static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand { try await asyncCommand.run() } else { try command.run() }
        } catch let failure as BenchFailure {
            StandardStreams.writeError("error: \(failure)\n")
            exit(withError: ExitCode(1))
        } catch { exit(withError: error) }
    }
}

/// A benchmark that could not run: one line `error: …` on stderr, exit status 1.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The `autolfads` program the benchmarks start as child processes (`train`, `run`, `client`, `worker`):
/// the one built beside this one.
enum AutoLFADSExecutable {
    static func path() throws -> String {
        let p = ExecutablePath.sibling("autolfads")
        guard FileManager.default.isExecutableFile(atPath: p) else {
            throw BenchFailure("\(p) is missing: the benchmarks run the autolfads program built beside them (swift build -c release)")
        }
        return p
    }
}
