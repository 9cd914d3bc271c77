import Foundation
import LFADSData

/// The dataset `autolfads run` uses with no `data:` key: the seeded Lorenz benchmark
/// (`LorenzGenerator`, 3 latents, Poisson neurons), generated once into `<storage>/data/lorenz.h5`.
public enum BundledData {
    /// Makes sure `config.data` names an existing file, generating the bundled Lorenz data if the
    /// objective needs data and none is configured.
    public static func resolve(_ config: inout RunConfig, log: (String) -> Void) throws {
        guard config.objective == .lfads else { return }
        if let d = config.data {
            for file in config.sessionData ?? [d] where !FileManager.default.fileExists(atPath: file) {
                throw RuntimeError("data: '\(file)' does not exist; fix the path in run.yaml (or omit `data:` to use the bundled Lorenz data)")
            }
            return
        }
        let path = (config.storage as NSString).appendingPathComponent("data/lorenz.h5")
        if !FileManager.default.fileExists(atPath: path) {
            log("no `data:` configured; generating the bundled Lorenz benchmark at \(path)")
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try LFADSWriter.write(try LorenzGenerator.generate(LorenzConfig()), to: path)
        }
        config.data = path
    }
}
