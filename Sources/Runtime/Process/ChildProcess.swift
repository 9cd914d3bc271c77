import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
public enum ChildExit: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var succeeded: Bool { self == .exited(0) }
    public var description: String {
        switch self {
        case .exited(let c): return "exited with status \(c)"
        case .signaled(let s): return "killed by signal \(s) (\(ChildExit.signalName(s)))"
        }
    }
    static func signalName(_ s: Int32) -> String {
        switch s {
        case SIGKILL: return "SIGKILL"
        case SIGTERM: return "SIGTERM"
        case SIGABRT: return "SIGABRT"
        case SIGSEGV: return "SIGSEGV"
        case SIGINT: return "SIGINT"
        case SIGBUS: return "SIGBUS"
        case SIGILL: return "SIGILL"
        case SIGTRAP: return "SIGTRAP"
        default: return "signal \(s)"
        }
    }
}

/// A supervised child process whose stdout and stderr are appended to a log file.
///
/// Spawned with `posix_spawn` and an empty signal mask / default dispositions, so the child does not
/// inherit the signals a Swift concurrency thread blocks (Foundation's `Process` passes them on, and a
/// worker would then ignore SIGTERM). A dedicated thread waits for the exit.
// @unchecked: every `var` below is read and written only while holding `lock` (NSLock; macOS 13 has no `Mutex`).
public final class ChildProcess: @unchecked Sendable {
    private let lock = NSLock()
    private var exitStatus: ChildExit?
    private var waiters: [CheckedContinuation<ChildExit, Never>] = []
    public let logPath: String
    /// The child's process id.
    public let pid: Int32

    /// Write end of the child's stdin pipe (-1 unless started with `stdinPipe: true`); see `send(_:)`.
    private var stdinWriter: Int32 = -1

    /// Starts `executable arguments…` with `environment`, output appended to `logPath`. Stdin is
    /// `/dev/null`, or with `stdinPipe` a pipe the parent writes with `send(_:)` (EOF once the parent
    /// closes it or dies). With `ownProcessGroup` the child leads a new process group, so a terminal's
    /// Ctrl-C (SIGINT to the foreground group) reaches only its parent, which stops it in order.
    public init(executable: String, arguments: [String], environment: [String: String], logPath: String,
                stdinPipe: Bool = false, ownProcessGroup: Bool = false) throws {
        self.logPath = logPath
        try FileManager.default.createDirectory(atPath: (logPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw RuntimeError("cannot start \(executable): no such executable (build it, or check the path)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipeEnds: [Int32] = [-1, -1]
        if stdinPipe {
            _ = Self.ignoreBrokenPipe   // a child that died before reading must not kill us with SIGPIPE
            // close-on-exec on both ends, so no other child inherits the write end and EOF arrives when we close it
            guard pipe(&pipeEnds) == 0, fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC) == 0 else { throw RuntimeError("cannot create a pipe for \(executable): \(String(cString: strerror(errno)))") }
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        defer { if pipeEnds[0] >= 0 { close(pipeEnds[0]) } }
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }   // no inherited database/socket descriptors
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &all)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownProcessGroup { flags |= POSIX_SPAWN_SETPGROUP; posix_spawnattr_setpgroup(&attr, 0) }
        posix_spawnattr_setflags(&attr, Int16(flags))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv { free(p) }; for p in envp { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attr, argv, envp)
        guard rc == 0 else {
            if pipeEnds[1] >= 0 { close(pipeEnds[1]) }
            throw RuntimeError("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        pid = child
        stdinWriter = pipeEnds[1]
        let childPid = child
        let t = Thread { [self] in
            var status: Int32 = 0
            while waitpid(childPid, &status, 0) < 0 && errno == EINTR {}
            let sig = status & 0x7f
            finish(sig == 0 ? .exited((status >> 8) & 0xff) : .signaled(sig))
        }
        t.start()
    }

    private static let ignoreBrokenPipe: Void = { _ = Glibc.signal(SIGPIPE, SIG_IGN) }()

    /// glibc ≥ 2.34 `posix_spawn_file_actions_addclosefrom_np` (not exported to Swift by the headers).
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(sym, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    private func finish(_ status: ChildExit) {
        lock.lock(); exitStatus = status; let w = waiters; waiters = []; lock.unlock()
        for c in w { c.resume(returning: status) }
    }

    /// Writes `data` to the child's stdin pipe and closes it (the child then sees EOF); false when the
    /// child has no pipe, already got its message, or could not be written to (e.g. it has died).
    @discardableResult
    public func send(_ data: Data) -> Bool {
        lock.lock()
        let fd = stdinWriter
        stdinWriter = -1
        lock.unlock()
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return data.withUnsafeBytes { raw -> Bool in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
    }

    deinit { if stdinWriter >= 0 { close(stdinWriter) } }

    /// The exit status once the child has ended (nil while running).
    public var exit: ChildExit? { lock.lock(); defer { lock.unlock() }; return exitStatus }

    /// Waits for the child to end.
    public func wait() async -> ChildExit {
        await withCheckedContinuation { c in
            lock.lock()
            if let s = exitStatus { lock.unlock(); c.resume(returning: s) }
            else { waiters.append(c); lock.unlock() }
        }
    }

    /// Sends a signal (no effect once ended).
    public func signal(_ sig: Int32) {
        lock.lock(); defer { lock.unlock() }
        if exitStatus == nil { kill(pid, sig) }
    }

    /// SIGTERM, then SIGKILL after `grace` seconds if still running; returns the exit status.
    public func terminate(grace: Double = 5) async -> ChildExit {
        signal(SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while exit == nil && Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
        if exit == nil { signal(SIGKILL) }
        return await wait()
    }
}

/// A runtime failure with a one-line message for the user.
public struct RuntimeError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
