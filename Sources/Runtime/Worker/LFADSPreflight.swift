import Foundation
import LFADSData
import LFADSModel

/// Checks, before a run is created, what every worker would otherwise find out only when it starts:
/// the `model:` keys and values, the search-space names and ranges, and the data files against the
/// model (shapes, observation model). A mistake is one error at `autolfads run`/`server` start
/// instead of a population of failed jobs.
public enum RunPreflight {
    public static func check(_ config: RunConfig) throws {
        guard config.objective == .lfads else { return }
        // Every hyperparameter at the low and at the high end of its range must make a valid model.
        let ends: [[String: Double]] = [0, 1].map { end in
            Dictionary(uniqueKeysWithValues: config.searchSpace.map { hp in
                // A fixed value that PBT never explores is the only one used; otherwise the whole range.
                let fixed = hp.initMode == .fixed && !hp.explore ? hp.initValue : nil
                let range = fixed.map { ($0, $0) } ?? hp.values.map { ($0.min() ?? 0, $0.max() ?? 0) }
                    ?? (hp.min ?? hp.initValue ?? 0, hp.max ?? hp.initValue ?? 0)
                return (hp.name, end == 0 ? range.0 : range.1)
            })
        }
        let configs = try ends.map { hps in
            let c = try LFADSObjective.config(for: job(config, hps: hps))
            do { try c.validate() } catch { throw RuntimeError("run.yaml model/search_space: \(error)") }
            return c
        }
        let (data, paths) = try LFADSObjective.datasets(job(config, hps: ends[0]))
        for c in configs {
            let trainer: Trainer
            do { trainer = try Trainer(config: c, datasets: data, names: paths, threads: 1) }
            catch { throw RuntimeError("run.yaml model does not fit the data: \(error)") }
            try checkMetric(config.metric, trainer.config)
        }
    }

    /// The PBT metric must be computable from this model and data.
    static func checkMetric(_ metric: PBTMetric, _ c: LFADSConfig) throws {
        switch metric {
        case .validReconSmth: return
        case .validCobps:
            guard c.reconDataDim > c.encodDataDim else {
                throw RuntimeError("pbt.metric valid_cobps: the data has no held-out neurons (recon_data has \(c.reconDataDim) channels, encod_data \(c.encodDataDim)); use lfads-torch data with held-out neurons (e.g. autolfads data from-nwb) or pbt.metric valid_recon_smth")
            }
            guard c.reconstruction == .poisson else {
                throw RuntimeError("pbt.metric valid_cobps: bits/spike needs the poisson observation model (model.reconstruction is \(c.reconstruction.rawValue)); use pbt.metric valid_recon_smth")
            }
        case .validSvHeldout:
            guard c.svRate > 0 else {
                throw RuntimeError("pbt.metric valid_sv_heldout: needs sample validation; set model.sv_rate above 0 (e.g. 0.1) or use pbt.metric valid_recon_smth")
            }
        }
    }

    static func job(_ config: RunConfig, hps: [String: Double]) -> WorkerJob {
        WorkerJob(run: config.name, worker: 0, generation: 0, attempt: 1, epochs: 0, hps: hps, initCheckpoints: [],
                  outputDirectory: NSTemporaryDirectory(), seed: 0, config: config)
    }
}

