/// Turns a worker launch (argv, environment, shared storage, CPU/memory limits) into a
/// `podman run` (or `docker run`) argv, so a client can run each worker inside the AutoLFADS image.
///
/// The result is an argv array for `posix_spawn`/`Process`, never a shell string. Clients use it for
/// `--runtime container`: `let l = try launch.wrap(arguments: ["worker", "--job-file", f], environment: env)`
/// then spawn `l.executable` with `l.arguments` **and the environment `env`**: the argv names each forwarded
/// variable (`-e NAME`) and the engine copies its value from its own environment, so no value (a password
/// above all) ever appears on a command line.
public struct ContainerLaunch: Equatable, Sendable {
    /// A bind mount `host:container[:ro]`.
    public struct Mount: Equatable, Sendable {
        public var host: String
        public var container: String
        public var readOnly: Bool
        public init(host: String, container: String? = nil, readOnly: Bool = false) {
            self.host = host; self.container = container ?? host; self.readOnly = readOnly
        }
    }

    /// The container engine executable (`podman` or `docker`, a name on PATH or an absolute path).
    public var engine: String
    /// The image holding `autolfads` (e.g. `localhost/autolfads:latest`).
    public var image: String
    /// CPU limit (`--cpus`), nil for none.
    public var cpus: Double?
    /// Memory limit (`--memory`, e.g. `4g`), nil for none.
    public var memory: String?
    /// Bind mounts; the shared storage root must be mounted at the same path so job files resolve.
    public var mounts: [Mount]
    /// `--network` value (`host` lets workers reach the same addresses as the client); nil = engine default.
    public var network: String?
    /// A command placed after the image; nil runs the image's entrypoint (`autolfads` in ours).
    public var commandInImage: String?
    /// Extra engine arguments placed before the image (e.g. `["--security-opt", "label=disable"]`).
    public var extraArguments: [String]

    public init(engine: String = "podman", image: String, cpus: Double? = nil, memory: String? = nil,
                storage: String, extraMounts: [Mount] = [], network: String? = "host",
                commandInImage: String? = nil, extraArguments: [String] = []) {
        self.engine = engine; self.image = image; self.cpus = cpus; self.memory = memory
        self.mounts = [Mount(host: storage)] + extraMounts
        self.network = network; self.commandInImage = commandInImage; self.extraArguments = extraArguments
    }

    /// Environment variables forwarded into the container: BLAS/OpenMP threading and kernel choice and
    /// AutoLFADS settings; the credentials of `SecretEnvironment` only with `secrets` (a worker needs none,
    /// a client or server run through `container run` needs the database password). Everything else
    /// (PATH, HOME…) stays the image's.
    public static func forwardedEnvironment(_ env: [String: String], secrets: Bool = false) -> [String: String] {
        let prefixes = ["OPENBLAS_", "OMP_", "MKL_", "VECLIB_", "AUTOLFADS_"]
        let names: Set<String> = ["TZ"]
        return env.filter { k, _ in
            if SecretEnvironment.isSecret(k) { return secrets }
            return names.contains(k) || prefixes.contains { k.hasPrefix($0) }
        }
    }

    /// The full argv: `[engine, "run", "--rm", limits…, "-v", …, "-e", "NAME", …, image, [commandInImage], arguments…]`.
    /// Only the names of `environment` appear (sorted); the engine must be spawned with their values in its
    /// environment (podman and docker read `-e NAME` from there).
    public func argv(arguments: [String], environment: [String: String]) throws -> [String] {
        guard !engine.isEmpty else { throw DeployError("container engine is empty: use podman or docker") }
        guard !image.isEmpty, !image.hasPrefix("-") else { throw DeployError("container image \"\(image)\" is invalid: give an image name such as localhost/autolfads:latest") }
        var a = [engine, "run", "--rm"]
        if let cpus {
            guard cpus > 0, cpus.isFinite else { throw DeployError("container cpus \(cpus) must be a positive number") }
            a += ["--cpus", Self.format(cpus)]
        }
        if let memory { try Validate.memory(memory, what: "container memory"); a += ["--memory", memory] }
        if let network { try Validate.noNewline(network, what: "container network"); a += ["--network", network] }
        for m in mounts {
            try Validate.mountPath(m.host, what: "mount host path")
            try Validate.mountPath(m.container, what: "mount container path")
            a += ["-v", "\(m.host):\(m.container)" + (m.readOnly ? ":ro" : "")]
        }
        for k in environment.keys.sorted() {
            try Validate.envName(k)
            a += ["-e", k]
        }
        a += extraArguments
        a.append(image)
        if let c = commandInImage { a.append(c) }
        a += arguments
        return a
    }

    /// The launch as `(executable, arguments)`, the shape of a child-process spawn: the engine and the
    /// rest of `argv`. The environment is filtered with `forwardedEnvironment(_:secrets:)`; spawn the
    /// engine with `environment` so it finds the values of the names it forwards.
    public func wrap(arguments: [String], environment: [String: String], secrets: Bool = false) throws
        -> (executable: String, arguments: [String]) {
        let full = try argv(arguments: arguments, environment: Self.forwardedEnvironment(environment, secrets: secrets))
        return (full[0], Array(full.dropFirst()))
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(x)
    }
}
