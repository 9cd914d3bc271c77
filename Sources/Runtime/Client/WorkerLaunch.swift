import Deploy
import Foundation

/// What a client spawns for one worker job: `autolfads worker --job-file F` directly (`--runtime process`),
/// or wrapped in `podman|docker run … IMAGE worker --job-file F` (`--runtime container`).
public enum WorkerLaunch {
    /// The executable (absolute path), argv after it and environment for the job file `jobFile`.
    /// `storage` is the shared-storage root this client uses (mounted at the same path in a container).
    public static func resolve(options: ClientOptions, jobFile: String, environment: [String: String], storage: String) throws
        -> (executable: String, arguments: [String], environment: [String: String]) {
        let args = ["worker", "--job-file", jobFile]
        guard var settings = options.workerRuntime, settings.runtime == .container else {
            return (options.executable, args, environment)
        }
        settings.storage = storage
        let l = try settings.launch(executable: options.executable, arguments: args, environment: environment)
        var env = l.environment
        if env["PATH"] == nil { env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin" }
        return (try findExecutable(l.executable, path: env["PATH"] ?? ""), l.arguments, env)
    }

    /// `name` itself when it contains a slash, else its first match on `path`; a one-line error when absent.
    public static func findExecutable(_ name: String, path: String) throws -> String {
        if name.contains("/") { return name }
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        throw RuntimeError("container engine '\(name)' not found on PATH; install it or pass --container-engine /path/to/engine")
    }
}
