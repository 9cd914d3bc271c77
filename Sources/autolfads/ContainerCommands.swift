import ArgumentParser
import Deploy
import FileSystem
import Foundation

/// `autolfads container …`: run autolfads subcommands inside the AutoLFADS image.
struct ContainerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "container",
        abstract: "Run autolfads inside the container image (the argv a client uses for containerised workers).",
        subcommands: [ContainerRunCommand.self])
}

/// `autolfads container run --image I --storage DIR [--cpus N --memory M] -- ARGS…`: runs
/// `podman run … I ARGS…` with the storage mounted at the same path, forwarding BLAS/AUTOLFADS variables
/// and the credentials (a client or server inside needs the database password) by name only: the engine
/// inherits their values, so `--print` and `ps` show `-e AUTOLFADS_DB_PASSWORD`, never the password.
struct ContainerRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run `autolfads ARGS…` in the image with shared storage mounted at the same path.")

    @Option(name: .long, help: "The image (default localhost/autolfads:latest).") var image = "localhost/autolfads:latest"
    @Option(name: .long, help: "Shared-storage directory, mounted at the same path.") var storage: String
    @Option(name: .long, help: "CPU limit.") var cpus: Double?
    @Option(name: .long, help: "Memory limit, e.g. 4g.") var memory: String?
    @Option(name: .long, help: "Container engine (podman or docker).") var engine = "podman"
    @Flag(name: .customLong("print"), help: "Print the argv, one element per line, instead of running it.") var printOnly = false
    @Argument(parsing: .postTerminator, help: "autolfads arguments, after --.") var arguments: [String] = []

    func run() throws {
        let dir = URL(fileURLWithPath: storage).standardizedFileURL.path
        let launch = ContainerLaunch(engine: engine, image: image, cpus: cpus, memory: memory, storage: dir)
        let argv: (executable: String, arguments: [String])
        do { argv = try launch.wrap(arguments: arguments, environment: ProcessInfo.processInfo.environment, secrets: true) }
        catch let e as DeployError {
            StandardStreams.writeError("error: \(e.message)\n"); throw ExitCode(1)
        }
        if printOnly { print(([argv.executable] + argv.arguments).joined(separator: "\n")); return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [argv.executable] + argv.arguments
        do { try p.run() } catch {
            StandardStreams.writeError("error: cannot run \(engine): \(error)\n"); throw ExitCode(1)
        }
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw ExitCode(p.terminationStatus) }
    }
}

extension WorkerRuntime: ExpressibleByArgument {}

/// `--runtime process|container` with the container settings, for `autolfads client`.
/// Wiring: add `@OptionGroup var workerRuntime: WorkerRuntimeOptions` to the client command and give
/// the client `workerRuntime.settings(storage:)`; the client spawns what `settings.launch(…)` returns.
struct WorkerRuntimeOptions: ParsableArguments {
    @Option(name: .long, help: "How workers start: process (default) or container (podman run of --image).")
    var runtime: WorkerRuntime = .process
    @Option(name: .long, help: "The worker image for --runtime container.") var image = "localhost/autolfads:latest"
    @Option(name: .customLong("container-engine"), help: "podman or docker.") var containerEngine = "podman"
    @Option(name: .customLong("container-cpus"), help: "CPU limit per containerised worker.") var containerCPUs: Double?
    @Option(name: .customLong("container-memory"), help: "Memory limit per containerised worker, e.g. 4g.") var containerMemory: String?

    /// These options as `autolfads client` arguments (empty for the default `process` runtime).
    var clientArguments: [String] {
        guard runtime == .container else { return [] }
        var a = ["--runtime", "container", "--image", image, "--container-engine", containerEngine]
        if let containerCPUs { a += ["--container-cpus", String(containerCPUs)] }
        if let containerMemory { a += ["--container-memory", containerMemory] }
        return a
    }

    /// The settings for a client whose shared storage is `storage`.
    func settings(storage: String) -> WorkerRuntimeSettings {
        WorkerRuntimeSettings(runtime: runtime, engine: containerEngine, image: image, cpus: containerCPUs,
                              memory: containerMemory, storage: storage)
    }
}
