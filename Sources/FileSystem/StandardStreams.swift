// Only Glibc here, no Foundation: with Foundation imported, Swift 6 refuses the C globals stdout/stderr.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// The process's C standard streams, for the few places that need them rather than `print`.
public enum StandardStreams {
    /// Line-buffers stdout, so progress lines reach a log file as they happen.
    public static func lineBufferOutput() { setvbuf(stdout, nil, _IOLBF, 0) }
    /// Writes `text` to stderr as it is (add the newline).
    public static func writeError(_ text: String) { fputs(text, stderr) }
    /// Flushes stdout and stderr (before `_exit`, `abort` or `exec`).
    public static func flush() { fflush(stdout); fflush(stderr) }
}
