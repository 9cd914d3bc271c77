import FileSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A worker process started ahead of its job (`autolfads worker --standby`), so that process start-up
/// (loader, Swift runtime, libraries) overlaps the slot's previous job instead of delaying the next one.
/// The client sends one `StandbyAssignment` line on the worker's stdin; the worker points its stdout and
/// stderr at the job's log and runs the job exactly as `--job-file` would. EOF without a line (the client
/// stopped or died) means: exit quietly. Each job still runs in its own process.
public struct StandbyAssignment: Codable, Equatable, Sendable {
    /// The job description written by the client.
    public var jobFile: String
    /// The job's log (stdout and stderr are appended to it).
    public var logPath: String

    public init(jobFile: String, logPath: String) { self.jobFile = jobFile; self.logPath = logPath }

    /// One JSON line, as sent on the worker's stdin.
    public func encodedLine() throws -> Data {
        var d = try JSONEncoder().encode(self)
        d.append(0x0A)
        return d
    }

    /// Reads the assignment from `fd` (blocking until a newline or EOF); nil on EOF before any byte.
    public static func read(from fd: Int32 = 0) throws -> StandbyAssignment? {
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        reading: while true {
            let n = Glibc.read(fd, &buf, buf.count)
            if n < 0 { if errno == EINTR { continue }; throw RuntimeError("standby worker: cannot read stdin: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            for b in buf[0..<n] { if b == 0x0A { break reading }; bytes.append(b) }
            if bytes.count > 1 << 20 { throw RuntimeError("standby worker: assignment longer than 1 MiB") }
        }
        if bytes.isEmpty { return nil }
        do { return try JSONDecoder().decode(StandbyAssignment.self, from: Data(bytes)) }
        catch { throw RuntimeError("standby worker: malformed assignment on stdin: \(error)") }
    }

    /// Appends this process's stdout and stderr to `logPath` from now on.
    public func redirectOutput() throws {
        StandardStreams.flush()
        try? FileManager.default.createDirectory(atPath: (logPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RuntimeError("standby worker: cannot open log \(logPath): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard dup2(fd, 1) >= 0, dup2(fd, 2) >= 0 else { throw RuntimeError("standby worker: cannot redirect output to \(logPath)") }
    }
}
