import Foundation
import UnixSignals

/// Calls `handler` (from a task) each time the process receives SIGTERM or SIGINT, through
/// swift-service-lifecycle's `UnixSignalsSequence` (a dispatch signal source per signal; the same
/// mechanism the dashboard's `ServiceGroup` uses for its graceful shutdown). The handler runs on the
/// cooperative thread pool, which `run`, `server` and `client` never keep blocked for long (their waits
/// are async; training runs in worker processes). After `cancel()` they are no longer acted on (libdispatch
/// keeps catching them): cancel only on the way out.
public struct ShutdownSignals: Sendable {
    private let task: Task<Void, Never>

    /// Returns once the signal sources are registered, so a signal sent after it is not missed.
    public static func watch(_ handler: @escaping @Sendable (Int32) -> Void) async -> ShutdownSignals {
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        return ShutdownSignals(task: Task { for await signal in signals { handler(signal.rawValue) } })
    }

    private init(task: Task<Void, Never>) { self.task = task }

    /// Stops calling the handler.
    public func cancel() { task.cancel() }
}
