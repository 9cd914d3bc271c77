import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Minimal process spawning for tests (posix_spawn + waitpid). Foundation's `Process.waitUntilExit`
/// can hang when called from many concurrent tests on a 2-core machine, so tests use this instead.
enum Spawn {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Starts `path` with `arguments` (argv[0] excluded), `environment`, stdout+stderr to `outputFile`.
    static func start(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                      outputFile: String = "/dev/null") throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw Failure(description: "cannot start \(path): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Waits for `pid` (polling without blocking a concurrency thread) and returns its exit status.
    static func wait(_ pid: pid_t) async throws -> Int32 {
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { throw Failure(description: "waitpid(\(pid)): \(String(cString: strerror(errno)))") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Blocking wait (for synchronous helpers).
    static func waitBlocking(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
