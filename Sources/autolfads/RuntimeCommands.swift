import ArgumentParser
import FileSystem
import Foundation
import Runtime

/// `autolfads worker --job-file FILE`: trains one worker for one generation (started by a client).
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one PBT job (one worker, one generation); started by `autolfads client`.",
        shouldDisplay: false)

    @Option(name: .customLong("job-file"), help: "The job description (job.json) written by the client.")
    var jobFile: String?

    @Flag(help: "Start ahead of the job and wait for its assignment (job file and log path) on stdin.")
    var standby = false

    @Flag(name: .customLong("no-parent-watch"), help: "Keep running if the parent process dies.")
    var noParentWatch = false

    func run() throws {
        StandardStreams.lineBufferOutput()   // log lines reach log.txt even if the worker crashes
        guard (jobFile == nil) == standby else { throw ValidationError("give exactly one of --job-file FILE and --standby") }
        if !noParentWatch { WorkerRunner.exitWhenParentDies() }
        do {
            var path = jobFile ?? ""
            if standby {
                guard let assignment = try StandbyAssignment.read() else { return }   // client stopped: nothing to do
                try assignment.redirectOutput()
                path = assignment.jobFile
            }
            let job = try WorkerJob.load(path: path)
            _ = try WorkerRunner.run(job: job)
        } catch {
            StandardStreams.writeError("autolfads worker: \(error)\n")
            throw ExitCode(DiskFull.describes(error) ? DiskFull.workerExitStatus : 1)
        }
    }
}
import ArgumentParser
import Coordination
import Deploy
import Foundation
import Runtime

/// Options shared by commands that read a run config.
struct RunConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The run config (run.yaml); embedded defaults when omitted.")
    var config: String?
    @Option(name: .long, help: "Override the run name.")
    var name: String?
    @Option(name: .long, help: "Override the coordination store URL (sqlite:///… or postgres://…).")
    var store: String?
    @Option(name: .long, help: "Override the shared-storage root directory.")
    var storage: String?
    @Option(name: .long, help: "Override the objective (lfads or toy).")
    var objective: String?
    @Option(name: .long, help: "Override the population size.")
    var population: Int?
    @Option(name: .long, help: "Override max_generations.")
    var generations: Int?
    @Argument(help: ArgumentHelp("key=value overrides of any run.yaml key, e.g. population=16 pbt.mode=async model.gen_dim=128 search_space.lr_init.max=1e-2 (values are YAML; the --name, --population, … flags win). A first argument without '=' is the config file.", valueName: "key=value"))
    var overrides: [String] = []

    /// The config with command-line overrides applied and validated.
    func load() throws -> RunConfig {
        var config = self.config, assignments = overrides
        if config == nil, let first = assignments.first, !first.contains("=") { config = first; assignments.removeFirst() }
        var obj: RunConfig.Objective?
        if let objective {
            guard let o = RunConfig.Objective(rawValue: objective) else { throw ValidationError("--objective must be lfads or toy") }
            obj = o
        }
        let cwd = FileManager.default.currentDirectoryPath
        let o = RunOverrides(name: name, storage: storage.map { URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: cwd + "/")).standardizedFileURL.path },
                             store: store, objective: obj, population: population, maxGenerations: generations,
                             assignments: assignments)
        if let config { return try RunConfig.load(path: config, overrides: o) }
        return try RunConfig.parse(yaml: "", baseDirectory: cwd, overrides: o)
    }
}

func printError(_ error: Error) {
    StandardStreams.writeError("error: \(error)\n")
}

/// Ctrl-C or SIGTERM on `run`/`server`: say how to resume and exit with 128 + the signal. The run stays
/// open in the store (every write is atomic), and the clients `run` started notice that it exited, stop
/// their workers and re-queue their jobs (`client --parent-pid`).
func exitOnShutdownSignal(_ command: String) async -> ShutdownSignals {
    await ShutdownSignals.watch { sig in
        print("\(command): interrupted by signal \(sig); the run stays open: run the same command again to resume it")
        StandardStreams.flush()
        _exit(128 + sig)
    }
}

/// `autolfads server`: oversees a run (decides, never trains).
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "server",
        abstract: "Run the PBT server for a run: create or resume it, schedule jobs, apply PBT decisions.")
    @OptionGroup var options: RunConfigOptions
    @OptionGroup var dashboard: RunDashboardOptions

    func run() async throws {
        StandardStreams.lineBufferOutput()   // progress lines reach log files as they happen
        let cfg = try options.load()
        let dash = dashboard
        try await runToCompletion(cfg, command: "server", dashboard: dash) { ready, checked in
            let store = try await openCoordinationStore(ready.store, onRetry: { print($0) })
            defer { Task { await store.close() } }
            let server = PBTServer(config: ready, store: store)
            server.runsFinalStep = true
            server.preflightDone = checked
            return try await server.run()
        }
    }
}

/// What `run` and `server` share: exit on SIGINT/SIGTERM with the resume hint, check a new run's data and
/// model before its directory or store exist, run `body` beside the dashboard, print the summary, the fit
/// and the report, and exit 2 when every worker failed, 3 when the final step failed, 1 on any error.
func runToCompletion(_ cfg: RunConfig, command: String, dashboard: RunDashboardOptions,
                     _ body: @escaping @Sendable (RunConfig, Bool) async throws -> PBTServer.Summary) async throws {
    let signals = await exitOnShutdownSignal(command)
    defer { signals.cancel() }
    do {
        let (ready, checked) = try await PBTServer.prepareNewRun(cfg, log: { print($0) })
        let (summary, report, fit) = try await runWithDashboard(ready, dashboard) { try await body(ready, checked) }
        print(RunSummaryText.render(summary))
        if let fit { print(fit) }
        if let report { print("report: \(report)") }
        if summary.status == "failed" { throw ExitCode(2) }
        if summary.finalStepError != nil { throw ExitCode(3) }
    } catch let e as ExitCode { throw e
    } catch { printError(error); throw ExitCode(1) }
}

/// `autolfads client`: runs worker processes for the jobs in a store.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client",
        abstract: "Run a client: claim jobs from the store and train them in worker processes (slots).")
    @Option(name: .long, help: "Coordination store URL (sqlite:///… or postgres://…).") var store: String
    @Option(name: .long, help: "Shared-storage root on this machine (default: the run's).") var storage: String?
    @Option(name: .long, help: "Worker processes at once (default: CPU cores).") var slots: Int?
    @Option(name: .customLong("run"), help: "Only work on this run (the client exits when it finishes).") var runName: String?
    @Option(name: .customLong("idle-timeout"), help: "Exit after this many idle seconds (0 = never).") var idleTimeout: Double = 0
    @Option(name: .long, help: "Heartbeat interval in seconds (default: the run's).") var heartbeat: Double?
    @Option(name: .long, help: "Threads per worker (default: the run's threads_per_slot).") var threads: Int?
    @Option(name: .customLong("max-jobs"), help: "Exit after this many jobs (0 = no limit).") var maxJobs: Int = 0
    @Flag(name: .customLong("no-standby"), help: "Start each worker process only when its job is claimed (default: the next one waits ready).")
    var noStandby = false
    @Option(name: .customLong("parent-pid"), help: "Stop as on SIGTERM when this process, the one that started the client, exits (`autolfads run` passes its pid).")
    var parentPid: Int32?
    @OptionGroup var workerRuntime: WorkerRuntimeOptions

    func run() async throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (leave it out for the run's threads_per_slot)") }
        StandardStreams.lineBufferOutput()
        let k = slots ?? ClientOptions.cores
        guard k >= 1 else { throw ValidationError("--slots must be at least 1") }
        var opts = ClientOptions(slots: k, run: runName, storage: storage.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                                 heartbeatInterval: heartbeat, idleTimeout: idleTimeout, threadsPerSlot: threads, maxJobs: maxJobs,
                                 executable: ExecutablePath.current)
        opts.workerRuntime = workerRuntime.settings(storage: opts.storage ?? "")
        opts.standbyWorkers = !noStandby
        let (url, clientOptions) = (store, opts)
        do {
            let s = try await openCoordinationStore(url, onRetry: LogLine.print)
            let client = PBTClient(store: s, options: clientOptions, log: LogLine.print)
            let signals = await ShutdownSignals.watch { sig in
                print("client: received signal \(sig); stopping workers")
                client.requestStop()
            }
            if let parentPid {
                ParentWatch.onExit(of: parentPid) { print("client: the process that started it exited; stopping workers"); client.requestStop() }
            }
            defer { signals.cancel() }
            _ = try await client.run()
            await s.close()
        } catch { printError(error); throw ExitCode(1) }
    }
}

/// `autolfads status`: the population, clients and the run's state.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status",
        abstract: "Show a run's population, jobs and clients.")
    @Option(name: .long, help: "Coordination store URL (default: from --config or the embedded defaults).") var store: String?
    @Option(name: .long, help: "The run config, to find the store and run name.") var config: String?
    @Argument(help: "Run name (default: the config's).") var runName: String?
    @Flag(name: .customLong("show-config"), help: "Print the run's resolved config (run.yaml with file, overrides and defaults; the stored config, which wins on resume) instead of the status.")
    var showConfig = false

    func run() async throws {
        var cfg = try RunConfigOptions.parse(config.map { ["--config", $0] } ?? []).load()
        if let runName { cfg.name = runName; if store == nil && config == nil { cfg.store = cfg.defaultStoreURL } }
        let url = store ?? cfg.store, name = cfg.name
        if store == nil, url.hasPrefix("sqlite://"), !FileManager.default.fileExists(atPath: String(url.dropFirst("sqlite://".count))) {
            let runsDir = (cfg.storage as NSString).appendingPathComponent("runs")
            let found = ((try? FileManager.default.contentsOfDirectory(atPath: runsDir)) ?? []).filter {
                FileManager.default.fileExists(atPath: "\(runsDir)/\($0)/coordination.db")
            }.sorted()
            printError(RuntimeError("no run '\(name)' under \(runsDir)" + (found.isEmpty ? "; start one with `autolfads run`"
                : " (found: \(found.joined(separator: ", "))); use `autolfads status \(found[0])`")))
            throw ExitCode(1)
        }
        do {
            let s = try await openCoordinationStore(url, onRetry: { StandardStreams.writeError($0 + "\n") })
            let text = try await showConfig ? StatusReport.config(store: s, run: name) : StatusReport.load(store: s, run: name)
            await s.close()
            print(text)
        } catch { printError(error); throw ExitCode(1) }
    }
}

/// `autolfads run`: server + one local client in one command (SQLite store, local storage).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run",
        abstract: "Run AutoLFADS on this machine: server and clients in one command.")
    @OptionGroup var options: RunConfigOptions
    @Option(name: .long, help: "Worker slots (default: resources.slots, else CPU cores).") var slots: Int?
    @Option(name: .long, help: "Client processes to start (slots are split between them).") var clients: Int = 1
    @OptionGroup var dashboard: RunDashboardOptions
    @OptionGroup var workerRuntime: WorkerRuntimeOptions

    func run() async throws {
        StandardStreams.lineBufferOutput()
        let cfg = try options.load()
        let total = slots ?? (cfg.slots > 0 ? cfg.slots : ClientOptions.cores)
        guard total >= 1 else { throw ValidationError("--slots must be at least 1 (or resources.slots 0 for all cores)") }
        guard clients >= 1, total >= clients else { throw ValidationError("--clients must be between 1 and the number of slots (\(total))") }
        let (k, dash, clientArgs) = (clients, dashboard, workerRuntime.clientArguments)
        try await runToCompletion(cfg, command: "run", dashboard: dash) { ready, checked in
            var local = LocalRun(config: ready, slots: total, clients: k, executable: ExecutablePath.current)
            local.clientArguments = clientArgs
            local.preflightDone = checked
            return try await local.run()
        }
    }
}
