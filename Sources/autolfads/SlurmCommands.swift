import ArgumentParser
import Deploy
import FileSystem
import Foundation
import Runtime

/// `autolfads slurm …`: run AutoLFADS on a Slurm cluster.
struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Run AutoLFADS on a Slurm cluster (server + client jobs).",
        subcommands: [SlurmSubmitCommand.self])
}

/// `autolfads slurm submit`: writes sbatch scripts into the run's storage and submits them.
struct SlurmSubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Write sbatch scripts for a run's server and clients into <storage>/runs/<run>/slurm and submit them.")

    @Option(name: .long, help: "The run config (run.yaml), on storage every node sees.") var config: String?
    @Option(name: .long, help: "Override the run name.") var name: String?
    @Option(name: .long, help: "Override the shared-storage root (must be visible on every node).") var storage: String?
    @Option(name: .long, help: "Override the store URL (postgres://… recommended for many nodes).") var store: String?
    @Option(name: .long, help: "Client jobs (array tasks, or nodes with --per-node).") var clients: Int = 1
    @Option(name: .long, help: "Worker slots per client.") var slots: Int = 1
    @Option(name: .long, help: "Slurm partition.") var partition: String?
    @Option(name: .long, help: "Slurm time limit, e.g. 2:00:00.") var time: String?
    @Option(name: .customLong("cpus-per-task"), help: "CPUs per client (default: --slots).") var cpusPerTask: Int?
    @Option(name: .long, help: "Memory per node, e.g. 8G.") var mem: String?
    @Option(name: .customLong("idle-timeout"), help: "Clients exit after this many idle seconds.") var idleTimeout: Int = 600
    @Flag(name: .customLong("per-node"), help: "One job over N nodes (srun one client per node) instead of a job array.") var perNode = false
    @Flag(name: .customLong("server-on-login"), help: "Start the server on this node in the background.") var serverOnLogin = false
    @Flag(name: .customLong("server-job"), help: "Run the server as a Slurm job (default).") var serverJob = false
    @Option(name: .long, help: "The autolfads executable the jobs run (default: this one).") var executable: String?
    @Flag(name: .customLong("dry-run"), help: "Write and print the scripts, submit nothing.") var dryRun = false
    @Argument(help: ArgumentHelp("key=value overrides of any run.yaml key (as for `autolfads run`), passed on to the server job.", valueName: "key=value"))
    var overrides: [String] = []

    func run() throws {
        guard !(serverOnLogin && serverJob) else { throw ValidationError("choose one of --server-on-login and --server-job") }
        do {
            // The one run-config parser: the server job parses the same file and overrides, so mistakes fail
            // before anything is submitted, and the scripts use the run's own name, storage and store.
            let cwd = FileManager.default.currentDirectoryPath
            let o = RunOverrides(name: name, storage: storage.map { RunLocation.absolute($0, base: cwd) }, store: store, assignments: overrides)
            let cfg: RunConfig
            do { cfg = try config.map { try RunConfig.load(path: $0, overrides: o) } ?? RunConfig.parse(yaml: "", baseDirectory: cwd, overrides: o) }
            catch let e as ConfigError { throw DeployError(e.message) }
            var loc = cfg.location(configPath: config.map { RunLocation.absolute($0, base: cwd) })
            // Before the one parser, a config without `storage:` put Slurm runs under <config dir>/autolfads-runs:
            // resubmitting such a run keeps it there (with a note) instead of starting it afresh elsewhere.
            if storage == nil, let path = loc.configPath, loc.storage == (path as NSString).deletingLastPathComponent {
                let legacy = (loc.storage as NSString).appendingPathComponent("autolfads-runs")
                let fm = FileManager.default
                if fm.fileExists(atPath: (legacy as NSString).appendingPathComponent("runs/\(loc.name)")) && !fm.fileExists(atPath: loc.runDirectory) {
                    print("note: run '\(loc.name)' exists under \(legacy) (where slurm submit put runs whose config sets no storage); using it. Set storage: in the config to silence this.")
                    loc = RunLocation(name: loc.name, storage: legacy, store: cfg.store == cfg.defaultStoreURL ? nil : cfg.store, configPath: path)
                }
            }
            let exe = executable ?? ExecutablePath.current
            var plan = SlurmPlan(run: loc, executable: (exe as NSString).standardizingPath, clients: clients, slots: slots)
            plan.overrides = overrides
            plan.partition = partition; plan.time = time; plan.cpusPerTask = cpusPerTask; plan.memory = mem
            plan.idleTimeout = idleTimeout
            plan.layout = perNode ? .perNode : .array
            plan.server = serverOnLogin ? .loginNode : .job
            let submitter = SlurmSubmitter(plan: plan)
            if dryRun {
                for path in try submitter.writeScripts() {
                    print("# \(path)")
                    print(try String(contentsOfFile: path, encoding: .utf8))
                }
                if plan.server == .loginNode { print("# server on this node: " + ShellQuote.join(plan.serverArgv)) }
                return
            }
            let r = try submitter.submit()
            if let id = r.serverJobID { print("server job: \(id)") }
            if let pid = r.serverPID { print("server pid: \(pid) (log: \(plan.directory)/server-login.log)") }
            if let id = r.clientJobID { print("client job: \(id)") }
            print("scripts: \(r.scripts.joined(separator: " "))")
        } catch let e as DeployError {
            StandardStreams.writeError("error: \(e.message)\n")
            throw ExitCode(1)
        }
    }
}
