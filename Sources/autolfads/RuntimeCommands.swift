import ArgumentParser
import Foundation
import Runtime

/// `autolfads worker --job-file FILE`: trains one worker for one generation (started by a client).
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one PBT job (one worker, one generation); started by `autolfads client`.",
        shouldDisplay: false)

    @Option(name: .customLong("job-file"), help: "The job description (job.json) written by the client.")
    var jobFile: String

    @Flag(name: .customLong("no-parent-watch"), help: "Keep running if the parent process dies.")
    var noParentWatch = false

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)   // log lines reach log.txt even if the worker crashes
        if !noParentWatch { WorkerRunner.exitWhenParentDies() }
        do {
            let job = try WorkerJob.load(path: jobFile)
            _ = try WorkerRunner.run(job: job)
        } catch {
            FileHandle.standardError.write(Data("autolfads worker: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
