import Coordination
import Foundation

/// Chooses the snapshot source for the command-line options.
public enum DashboardSources {
    /// `runDir`, or `<storage>/runs/<run>`; with `store`, `StoreSnapshotSource` adds live workers, jobs and clients.
    public static func make(store: String?, storage: String?, run: String?, runDir: String?) async throws -> any RunSnapshotSource {
        if let store {
            guard let storage, let run else {
                throw DashboardError("--store needs --storage DIR and --run NAME (the run's shared storage and name)")
            }
            let opened = try await openCoordinationStore(store)
            return StoreSnapshotSource(store: opened, storage: SharedStorage(rootPath: storage), run: run)
        }
        if let runDir { return RunDirectorySource(directory: URL(fileURLWithPath: runDir)) }
        if let storage, let run {
            return RunDirectorySource(directory: URL(fileURLWithPath: storage).appendingPathComponent("runs").appendingPathComponent(run))
        }
        throw DashboardError("say which run to show: --store URL --storage DIR --run NAME, --storage DIR --run NAME, or --run-dir DIR")
    }
}
