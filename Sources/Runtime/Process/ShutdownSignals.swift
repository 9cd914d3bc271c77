import Foundation

/// Calls `handler` (on a background thread) when the process receives SIGTERM or SIGINT.
/// A minimal C handler records the signal; a watcher thread delivers it (dispatch signal sources
/// do not see signals on Linux unless every thread blocks them).
// @unchecked: `watching`, the only `var`, is read and written only while holding `lock` (NSLock; macOS 13 has no `Mutex`).
public final class ShutdownSignals: @unchecked Sendable {
    private let handler: @Sendable (Int32) -> Void
    private let lock = NSLock()
    private var watching = true

    public init(_ handler: @escaping @Sendable (Int32) -> Void) {
        self.handler = handler
        receivedSignal = 0
        for sig in [SIGTERM, SIGINT] { signal(sig) { s in receivedSignal = s } }
        let t = Thread { [weak self] in
            while let self, self.lock.withLock({ self.watching }) {
                let s = receivedSignal
                if s != 0 { receivedSignal = 0; self.handler(s) }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        t.start()
    }

    /// Stops watching (the handlers stay installed and keep recording).
    public func cancel() { lock.withLock { watching = false } }
}

/// The last shutdown signal received (0 = none); written by the C signal handler.
nonisolated(unsafe) private var receivedSignal: Int32 = 0
