import ArgumentParser
import FileSystem
import Foundation
import Runtime

/// `autolfads bench …`: replaces this process with the `autolfads-bench` program built beside it, passing
/// every argument on (`autolfads bench --help` lists the benchmarks). The benchmarks and their
/// allocation-counting malloc live there, not in the program users run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure performance (engine, train, obs, stitch, pbt-sim, store, runtime, dashboard, autolfads-vs-single, search, run-to-quality).",
        helpNames: [])

    @Argument(parsing: .captureForPassthrough, help: "The benchmark and its options (see autolfads bench --help).")
    var arguments: [String] = []

    func run() throws {
        let program = ExecutablePath.sibling("autolfads-bench")
        guard FileManager.default.isExecutableFile(atPath: program) else {
            StandardStreams.writeError("error: autolfads bench needs \(program), which is not built: "
                + "swift build -c release --product autolfads-bench (scripts/bench builds it)\n")
            throw ExitCode(1)
        }
        StandardStreams.flush()
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)   // the benchmarks start with no signal blocked, whichever thread runs this
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        execv(program, argv)
        StandardStreams.writeError("error: could not start \(program): \(String(cString: strerror(errno)))\n")
        throw ExitCode(1)
    }
}
