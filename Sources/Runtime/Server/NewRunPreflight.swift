import Foundation
import Coordination

extension PBTServer {
    /// For a run its store does not hold yet: resolves the data and runs the preflight before anything
    /// of the run is created (run directory, SQLite store file), so a config the preflight rejects leaves
    /// nothing behind. Returns the config to start with and whether the preflight ran (then pass it to
    /// the server as `preflightDone`). An existing run is left to `openRun` (its stored config wins).
    public static func prepareNewRun(_ config: RunConfig, log: (String) -> Void) async throws -> (config: RunConfig, checked: Bool) {
        let isNew: Bool
        if case .sqlite(let path) = try StoreLocation.parse(config.store, environment: ProcessInfo.processInfo.environment),
           !FileManager.default.fileExists(atPath: path) {
            isNew = true   // no store file yet: nothing to ask, and opening it would create it
        } else {
            let store = try await openCoordinationStore(config.store)
            isNew = try await store.run(named: config.name) == nil
            await store.close()
        }
        guard isNew else { return (config, false) }
        var c = config
        try BundledData.resolve(&c, log: log)
        try RunPreflight.check(c)
        return (c, true)
    }
}
