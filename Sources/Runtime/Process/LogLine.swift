import Foundation

/// Log lines for long-running processes (client, server): prefixed with the UTC wall-clock time to the
/// millisecond, so the gaps between a job's end and the next start can be read off the log.
public enum LogLine {
    /// `HH:mm:ss.SSS text` (UTC).
    public static func stamped(_ text: String, at date: Date = Date()) -> String {
        let t = date.timeIntervalSince1970
        let ms = Int((t * 1000).rounded(.down)) % 86_400_000
        return String(format: "%02d:%02d:%02d.%03d ", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000) + text
    }

    /// Prints `stamped(text)`.
    public static func print(_ text: String) { Swift.print(stamped(text)) }
}
