/// How a client starts worker processes: directly, or inside the AutoLFADS container image.
public enum WorkerRuntime: String, CaseIterable, Sendable {
    case process
    case container
}

/// A client's `--runtime` choice with its container settings, turned into the launch a client spawns.
///
/// Wiring in a client: keep `settings` from the command line; for each job, where it would spawn
/// `executable ["worker", "--job-file", f]` with `env`, call `settings.launch(executable:arguments:environment:)`
/// and spawn what it returns (unchanged for `.process`, `podman run …` for `.container`).
public struct WorkerRuntimeSettings: Equatable, Sendable {
    public var runtime: WorkerRuntime
    public var engine: String
    public var image: String
    /// CPUs per containerised worker (nil: no limit; a client usually passes its threads per slot).
    public var cpus: Double?
    /// Memory per containerised worker, e.g. `4g`.
    public var memory: String?
    /// Shared-storage root, mounted at the same path.
    public var storage: String

    public init(runtime: WorkerRuntime = .process, engine: String = "podman", image: String = "localhost/autolfads:latest",
                cpus: Double? = nil, memory: String? = nil, storage: String) {
        self.runtime = runtime; self.engine = engine; self.image = image
        self.cpus = cpus; self.memory = memory; self.storage = storage
    }

    /// The process to spawn for one worker. Throws a one-line `DeployError` for bad container settings.
    /// Workers get no credentials (`SecretEnvironment`): they exchange job and result files only.
    public func launch(executable: String, arguments: [String], environment: [String: String]) throws
        -> (executable: String, arguments: [String], environment: [String: String]) {
        let env = SecretEnvironment.removingSecrets(from: environment)
        switch runtime {
        case .process:
            return (executable, arguments, env)
        case .container:
            let l = ContainerLaunch(engine: engine, image: image, cpus: cpus, memory: memory, storage: storage)
            let w = try l.wrap(arguments: arguments, environment: env)
            // The engine runs with the client's environment (PATH, CONTAINERS_CONF, XDG_…) less the
            // credentials; it copies the values of the `-e NAME` variables from there.
            return (w.executable, w.arguments, env)
        }
    }
}
