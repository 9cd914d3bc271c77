import Foundation

/// Chooses the snapshot source for the command-line options.
public enum DashboardSources {
    /// `runDir`, or `<storage>/runs/<run>`; with `store`, the store adapter adds live workers/jobs/clients.
    public static func make(store: String?, storage: String?, run: String?, runDir: String?) throws -> any RunSnapshotSource {
        let dir: URL
        if let runDir { dir = URL(fileURLWithPath: runDir) }
        else if let storage, let run { dir = URL(fileURLWithPath: storage).appendingPathComponent("runs").appendingPathComponent(run) }
        else { throw DashboardError("say which run to show: --storage DIR --run NAME, or --run-dir DIR") }
        if store != nil {
            throw DashboardError("--store is not supported by this build yet; use --storage/--run (or --run-dir) to read the run directory")
        }
        return RunDirectorySource(directory: dir)
    }
}
