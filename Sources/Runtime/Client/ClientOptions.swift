import Deploy
import Foundation

/// Settings of one client (one machine).
public struct ClientOptions: Sendable {
    /// Worker processes run at once.
    public var slots: Int
    /// Only this run's jobs (nil = any run in the store).
    public var run: String?
    /// Shared-storage root on this machine (nil = the run config's `storage`).
    public var storage: String?
    /// Seconds between heartbeats (nil = the run config's).
    public var heartbeatInterval: Double?
    /// Exit after this many seconds without work (0 = only when the watched runs finish).
    public var idleTimeout: Double
    /// Threads per worker process (nil = the run config's `threads_per_slot`).
    public var threadsPerSlot: Int?
    /// The `autolfads` executable to start workers with.
    public var executable: String
    /// Exit after finishing this many jobs (0 = no limit); for draining a machine and for tests.
    public var maxJobs: Int = 0
    /// Seconds between claim attempts when the queue is empty.
    public var pollInterval: Double = 0.05
    /// Seconds a slot waits after its worker found the disk full (the server stops the run meanwhile).
    public var diskFullPause: Double = 30
    /// Start each slot's next worker process ahead of its job (`autolfads worker --standby`), so process
    /// start-up overlaps the running job; process runtime only.
    public var standbyWorkers: Bool = true
    /// How workers start (`--runtime`); nil or `.process` spawns `executable` directly, `.container` wraps it
    /// in `podman|docker run` of the image (the settings' storage is replaced by the client's storage root).
    public var workerRuntime: WorkerRuntimeSettings? = nil

    public init(slots: Int, run: String? = nil, storage: String? = nil, heartbeatInterval: Double? = nil,
                idleTimeout: Double = 0, threadsPerSlot: Int? = nil, maxJobs: Int = 0, executable: String) {
        self.slots = slots; self.run = run; self.storage = storage; self.heartbeatInterval = heartbeatInterval
        self.idleTimeout = idleTimeout; self.threadsPerSlot = threadsPerSlot; self.maxJobs = maxJobs
        self.executable = executable
    }

    /// Number of CPU cores this process may use (the default slot count; `CPUCount.available`).
    public static let cores: Int = CPUCount.available
}
