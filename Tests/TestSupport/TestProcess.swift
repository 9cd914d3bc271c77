import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a test process ended and what it printed.
public struct ProcessOutput: Sendable, CustomStringConvertible {
    /// Exit status, or 128 + N when killed by signal N (as a shell reports it).
    public var status: Int32
    /// The signal that killed it, if one did.
    public var signal: Int32?
    /// Whether the test's time limit ran out (the process group was then killed).
    public var timedOut: Bool
    public var stdout: String
    public var stderr: String

    public var stdoutLines: [Substring] { stdout.split(separator: "\n", omittingEmptySubsequences: true) }
    public var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: true) }
    /// stdout and stderr together (stdout first), for messages and searches that do not care which.
    public var output: String { stdout + stderr }
    public var description: String {
        "exit \(status)\(signal.map { " (signal \($0))" } ?? "")\(timedOut ? " (timed out)" : ""); "
            + "stdout: \(stdout.prefix(600)); stderr: \(stderr.prefix(600))"
    }
}

/// The one way tests start processes: `posix_spawn` with an empty signal mask and default signal
/// dispositions (a Swift concurrency thread blocks signals; a child must not inherit that), its own
/// process group, stdin from a file or `/dev/null`, and stdout and stderr either captured through two
/// pipes that a dedicated thread drains together (a child filling its stderr cannot block on it) or
/// appended to one file (for daemons that outlive the command, e.g. `pg_ctl start`).
///
/// Waiting never blocks the cooperative pool: `wait` polls with `Task.sleep`; the dedicated thread
/// reaps the child with `waitpid`. Foundation's `Process.waitUntilExit` is not used: it can hang when
/// many tests wait at once on a 2-core machine.
public final class TestProcess: @unchecked Sendable {
    /// Where the child's stdout and stderr go.
    public enum Output: Sendable {
        /// Two pipes, read as the child writes (see `stdoutSoFar`, `stderrSoFar`).
        case capture
        /// Both appended to this file.
        case file(String)
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// The child's process id (also its process group id).
    public let pid: pid_t
    private let lock = NSLock()
    private var out = Data(), err = Data()
    private var result: (status: Int32, signal: Int32?)?
    private var killedForTime = false

    /// Starts `executable arguments…`. `environment` nil = this process's environment; `set` and
    /// `unset` then adjust it. `stdinFile` nil = `/dev/null`. `directory` = working directory.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                set: [String: String] = [:], unset: [String] = [], stdinFile: String? = nil,
                directory: String? = nil, output: Output = .capture) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure("cannot start \(executable): no such executable")
        }
        var env = environment ?? ProcessInfo.processInfo.environment
        for k in unset { env.removeValue(forKey: k) }
        for (k, v) in set { env[k] = v }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinFile ?? "/dev/null", O_RDONLY, 0)
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        switch output {
        case .capture:
            // close-on-exec, so no other child started meanwhile keeps a write end open
            guard pipe(&outPipe) == 0, pipe(&errPipe) == 0,
                  (outPipe + errPipe).allSatisfy({ fcntl($0, F_SETFD, FD_CLOEXEC) == 0 }) else {
                throw Failure("cannot create pipes for \(executable): \(String(cString: strerror(errno)))")
            }
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // No other descriptor of this process reaches the child: an inherited HDF5 file keeps that file's
        // lock alive while the child runs, an inherited pipe end keeps another test's pipe open.
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        if let directory {
            guard let chdir = Self.addChdir else { throw Failure("posix_spawn_file_actions_addchdir_np is not available") }
            _ = chdir(&actions, directory)
        }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attr, argv, envp)
        for fd in [outPipe[1], errPipe[1]] where fd >= 0 { close(fd) }
        guard rc == 0 else {
            for fd in [outPipe[0], errPipe[0]] where fd >= 0 { close(fd) }
            throw Failure("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        pid = child
        let (o, e) = (outPipe[0], errPipe[0])
        let t = Thread { [self] in pump(stdout: o, stderr: e) }
        t.start()
    }

    /// glibc ≥ 2.34 `posix_spawn_file_actions_addclosefrom_np` (not exported to Swift by the headers).
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(sym, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// glibc ≥ 2.29 `posix_spawn_file_actions_addchdir_np` (not exported to Swift by the headers).
    private static let addChdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(sym, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }()

    /// The dedicated thread: drains both pipes until EOF (or 1 s after the child exited, when a
    /// grandchild keeps a pipe open), reaping the child meanwhile.
    private func pump(stdout o: Int32, stderr e: Int32) {
        var fds = [o, e].filter { $0 >= 0 }
        var reaped: (Int32, Int32?)?
        var reapedAt = Date.distantFuture
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !fds.isEmpty && Date().timeIntervalSince(reapedAt) < 1 {
            var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let n = poll(&polls, nfds_t(polls.count), 50)
            if n > 0 {
                for p in polls where p.revents != 0 {
                    let got = read(p.fd, &buffer, buffer.count)
                    if got > 0 {
                        lock.lock()
                        if p.fd == o { out.append(contentsOf: buffer[0..<got]) } else { err.append(contentsOf: buffer[0..<got]) }
                        lock.unlock()
                    } else if got == 0 || (errno != EINTR && errno != EAGAIN) {
                        close(p.fd)
                        fds.removeAll { $0 == p.fd }
                    }
                }
            }
            if reaped == nil, let r = Self.reap(pid, block: false) { reaped = r; reapedAt = Date() }
        }
        fds.forEach { close($0) }
        let r = reaped ?? Self.reap(pid, block: true)!
        lock.lock(); result = r; lock.unlock()
    }

    /// waitpid: (status as a shell reports it, signal), or nil while running (non-blocking).
    private static func reap(_ pid: pid_t, block: Bool) -> (Int32, Int32?)? {
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, block ? 0 : WNOHANG)
            if r == pid { break }
            if r == 0 { return nil }
            if errno != EINTR { return (-1, nil) }
        }
        let sig = status & 0x7f
        return sig == 0 ? ((status >> 8) & 0xff, nil) : (128 + sig, sig)
    }

    /// Whether the child has ended (and its output has been read).
    public var finished: Bool { lock.lock(); defer { lock.unlock() }; return result != nil }
    /// What the child has written to stdout so far (`.capture` only).
    public var stdoutSoFar: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
    /// What the child has written to stderr so far (`.capture` only).
    public var stderrSoFar: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }

    /// Sends `sig` to the child (no effect once it has been reaped).
    public func signal(_ sig: Int32) {
        lock.lock(); defer { lock.unlock() }
        if result == nil { kill(pid, sig) }
    }

    /// Kills the child's whole process group (it and what it started) with SIGKILL.
    public func killGroup() {
        lock.lock(); defer { lock.unlock() }
        if result == nil { kill(-pid, SIGKILL) }
    }

    /// Waits until `condition` holds for the output so far, the child ends, or `seconds` pass
    /// (polling with `Task.sleep`); returns whether the condition held.
    public func waitForOutput(seconds: Double, _ condition: (_ stdout: String, _ stderr: String) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let done = finished
            if condition(stdoutSoFar, stderrSoFar) { return true }
            if done { return false }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return false
    }

    /// Waits for the child to end, at most `seconds`; then kills its process group and reports
    /// `timedOut`. Polls with `Task.sleep`, holding no thread of the cooperative pool.
    public func wait(seconds: Double) async -> ProcessOutput {
        let deadline = Date().addingTimeInterval(seconds)
        while !finished && Date() < deadline { try? await Task.sleep(nanoseconds: 5_000_000) }
        if !finished {
            markKilledForTime()
            killGroup()
            while !finished { try? await Task.sleep(nanoseconds: 5_000_000) }
        }
        return collected()
    }

    private func markKilledForTime() { lock.withLock { killedForTime = true } }

    /// Blocking form of `wait` for synchronous helpers that have no async caller.
    public func waitBlocking(seconds: Double) -> ProcessOutput {
        let deadline = Date().addingTimeInterval(seconds)
        while !finished && Date() < deadline { usleep(5_000) }
        if !finished {
            lock.lock(); killedForTime = true; lock.unlock()
            killGroup()
            while !finished { usleep(5_000) }
        }
        return collected()
    }

    private func collected() -> ProcessOutput {
        lock.lock(); defer { lock.unlock() }
        return ProcessOutput(status: result!.status, signal: result!.signal, timedOut: killedForTime,
                             stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// Runs `executable arguments…` to the end (at most `seconds`) and returns what it printed.
    public static func run(_ executable: String, _ arguments: [String], seconds: Double = 60,
                           set: [String: String] = [:], unset: [String] = [], stdinFile: String? = nil,
                           directory: String? = nil) async throws -> ProcessOutput {
        let p = try TestProcess(executable, arguments, set: set, unset: unset, stdinFile: stdinFile, directory: directory)
        return await p.wait(seconds: seconds)
    }

    /// The first executable called `name` on `PATH` (nil when there is none).
    public static func onPath(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}
