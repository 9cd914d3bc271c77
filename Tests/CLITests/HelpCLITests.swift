import Foundation
import Testing
import TestSupport

/// Every command and group answers `--help`, and the top level lists every command a user types.
@Suite struct HelpCLITests {
    static let commands = ["run", "server", "client", "status", "train", "data", "evaluate", "dashboard", "report",
                           "bench", "slurm", "container"]
    static let leaves: [[String]] = commands.filter { !["data", "bench", "slurm", "container"].contains($0) }.map { [$0] }
        + ["inspect", "synth", "from-nwb"].map { ["data", $0] }
        + ["engine", "train", "obs", "stitch", "pbt-sim", "store", "runtime", "dashboard", "autolfads-vs-single"].map { ["bench", $0] }
        + [["slurm", "submit"], ["container", "run"]]

    @Test func topLevelHelpListsEveryCommand() async throws {
        let r = try await CLI.run(["--help"])
        r.expectSuccess(firstLine: "OVERVIEW: LFADS with automatic hyperparameter search", "autolfads --help")
        for c in Self.commands { #expect(r.stdout.contains("\n  \(c) "), "autolfads --help does not list \(c): \(r.stdout)") }
    }

    @Test func everyCommandHasHelp() async throws {
        for group in ["data", "bench", "slurm", "container"] {
            let r = try await CLI.run([group, "--help"])
            r.expectSuccess(firstLine: "OVERVIEW: ", "\(group) --help")
            for leaf in Self.leaves where leaf.count == 2 && leaf[0] == group {
                #expect(r.stdout.contains("\n  \(leaf[1]) "), "\(group) --help does not list \(leaf[1])")
            }
        }
        for leaf in Self.leaves {
            let r = try await CLI.run(leaf + ["--help"])
            r.expectSuccess(firstLine: "OVERVIEW: ", leaf.joined(separator: " ") + " --help")
            #expect(r.stdout.contains("USAGE: autolfads \(leaf.joined(separator: " "))"), "\(leaf): \(r.stdout.prefix(300))")
        }
    }

    /// A mistyped command is a usage error (exit 64) naming the word, not a crash or a silent success.
    @Test func unknownCommandIsAUsageError() async throws {
        let r = try await CLI.run(["trian", "x.h5"])
        r.expectError(["trian"], status: 64, "autolfads trian")
        let d = try await CLI.run(["data", "inpsect", "x.h5"])
        d.expectError(["inpsect"], status: 64, "autolfads data inpsect")
    }
}
