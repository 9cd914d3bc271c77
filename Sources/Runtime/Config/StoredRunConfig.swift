import Foundation
import Coordination

/// The config a run was created with, as its store holds it. A run resumes with it, so a stored value
/// that can never work (a run created before a limit existed, or an edited store) must be one clear
/// error naming the value and how to start over, never a crash at every resume.
public enum StoredRunConfig {
    /// The stored config of `run`, decoded and validated. `current` (this command's config, if any)
    /// tells where the run directory is, for the hint.
    public static func load(_ run: RunRecord, current: RunConfig? = nil) throws -> RunConfig {
        let c: RunConfig
        do { c = try run.config.decode(RunConfig.self) } catch {
            throw RuntimeError("run '\(run.name)': its stored config cannot be read (\(error)); \(startOver(run.name, current ?? nil))")
        }
        do { try c.validate() } catch {
            throw RuntimeError("run '\(run.name)': its stored config has \(error), so it can never run; \(startOver(run.name, current ?? c))")
        }
        return c
    }

    /// The problem with `run`'s stored config, or nil when it is usable (for `status`).
    public static func problem(_ run: RunRecord) -> String? {
        do { _ = try load(run); return nil } catch { return "\(error)" }
    }

    /// How to start over: a new name, or the run directory (with a default SQLite store inside it) moved away.
    static func startOver(_ name: String, _ c: RunConfig?) -> String {
        let rename = "start a new run under another name (--name NEW, or name: in run.yaml)"
        guard let c else { return rename + ", or move the run's directory away (mv <storage>/runs/\(name) <storage>/runs/\(name).old)" }
        let dir = c.runDirectory
        if c.store == c.defaultStoreURL {
            return rename + ", or move the run directory away to start it afresh (its store coordination.db goes with it): mv '\(dir)' '\(dir).old'"
        }
        return rename + ", or move '\(dir)' away and remove run '\(name)' from the store \(c.store)"
    }
}
