import Foundation
import LFADSData
import PBT
import Coordination
import FileSystem

extension RunInfo {
    /// Names of hyperparameters of `space` best shown on a log axis (log-uniform or log-grid init, or log perturbation).
    public static func logScaledHPs(of space: SearchSpace) -> [String] {
        space.hyperparameters.filter { h in
            switch h.initMode {
            case .logUniform, .grid(log: true): return true
            default: return h.perturbationSpace == .log
            }
        }.map(\.name).sorted()
    }
}

/// A small, deterministic run directory for tests, demos and `scripts/check-dashboard`: real PBT decisions
/// (`PBTPolicy.decideGeneration`) over a toy score, the run's CSV logs, per-worker `metrics.csv` and
/// `result.json`, and optionally `best/lfads_output_fixture.h5` with data, rates, factors, inputs, truth, latents.
public enum FixtureRun {
    public struct Options: Sendable {
        public var workers = 6
        public var generations = 4
        public var epochsPerGeneration = 5
        public var seed: UInt64 = 7
        public var withModel = true
        public var start = Date(timeIntervalSince1970: 1_790_000_000)
        public var generationSeconds = 120.0
        public init() {}
    }

    /// Writes the fixture into `directory` (created if needed) and returns the snapshot a store would add:
    /// the directory snapshot plus run info, clients/slots and job counts.
    @discardableResult
    public static func write(to directory: URL, options o: Options = Options()) throws -> RunSnapshot {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let policy = PBTPolicy(space: .lfadsTorchNLB, exploit: .binaryTournament)
        var rng = PBTRandom(seed: o.seed)
        var hps = try policy.space.initialPopulation(workers: o.workers, using: &rng)
        let names = policy.space.hyperparameters.map(\.name)
        var state = (0..<o.workers).map { _ in 1.0 }   // toy "validation NLB" per worker, lower is better
        var totalEpochs = Array(repeating: 0, count: o.workers)
        var hpLog = "generation,worker," + names.joined(separator: ",") + ",score\n"
        var decisionsCSV = "generation,worker,action,parent,parent_generation,score,parent_score,old_hps,new_hps\n"
        func fmt(_ h: Hyperparameters) -> String { h.keys.sorted().map { "\($0)=\(h[$0]!)" }.joined(separator: ";") }
        for g in 0..<o.generations {
            var results: [WorkerResult] = []
            for w in 0..<o.workers {
                // Toy objective: the score falls faster for dropout near 0.3 and small kl_co; worker 5 fails in generation 1.
                let h = hps[w]
                let rate = 0.25 - abs((h["dropout_rate"] ?? 0.3) - 0.3) * 0.3 - abs(log10(h["kl_co_scale"] ?? 1e-5) + 5) * 0.02
                var metrics = "epoch,train_recon,valid_recon,valid_recon_smth,lr,seconds\n"
                var s = state[w]
                for e in 0..<o.epochsPerGeneration {
                    s *= (1 - max(rate, 0.01) / Double(o.epochsPerGeneration))
                    totalEpochs[w] += 1
                    let noise = Double((w * 31 + e * 17 + g * 7) % 11) / 1000
                    let seconds: Double = Double(e + 1) * o.generationSeconds / Double(o.epochsPerGeneration)
                    let lr: Double = h["lr_init"] ?? 0
                    let fields: [String] = [String(totalEpochs[w]), String(s * 0.95), String(s + noise), String(s), String(lr), String(seconds)]
                    metrics += fields.joined(separator: ",") + "\n"
                }
                let failed = (w == 5 && g == 1)
                let score: Double? = failed ? nil : s
                if !failed { state[w] = s }
                let dir = RunDirectoryReader(directory: directory).generationDirectory(worker: w, generation: g)
                try fm.createDirectory(at: dir, withIntermediateDirectories: true)
                try AtomicFile.write(Data(metrics.utf8), to: dir.appendingPathComponent("metrics.csv").path, createDirectories: false)
                let result: [String: Any] = ["score": score as Any? ?? NSNull(), "epochs": o.epochsPerGeneration,
                                             "totalEpochs": totalEpochs[w], "seconds": o.generationSeconds - Double(w),
                                             "checkpoint": "w\(w)/g\(g)"]
                let resultURL = dir.appendingPathComponent("result.json")
                try AtomicFile.write(try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), to: resultURL.path, createDirectories: false)
                let finished = o.start.addingTimeInterval(Double(g + 1) * o.generationSeconds - Double(o.workers - w))
                try fm.setAttributes([.modificationDate: finished], ofItemAtPath: resultURL.path)
                hpLog += "\(g),\(w)," + names.map { "\(h[$0]!)" }.joined(separator: ",") + ",\(score.map { "\($0)" } ?? "nan")\n"
                results.append(WorkerResult(worker: w, generation: g, hyperparameters: h, score: score, checkpoint: "\(w):\(g)"))
            }
            if g < o.generations - 1 {
                let decided = try policy.decideGeneration(results, using: &rng)
                for d in decided.decisions {
                    decisionsCSV += "\(d.generation),\(d.worker),\(d.action.rawValue),\(d.parent),\(d.parentGeneration),"
                    decisionsCSV += "\(d.score.map { "\($0)" } ?? "nan"),\(d.parentScore.map { "\($0)" } ?? "nan"),"
                    decisionsCSV += "\(fmt(d.oldHyperparameters)),\(fmt(d.newHyperparameters))\n"
                    hps[d.worker] = d.newHyperparameters
                    if d.action == .copy { state[d.worker] = state[d.parent] }
                }
            }
        }
        try AtomicFile.write(Data(hpLog.utf8), to: directory.appendingPathComponent("hp_log.csv").path, createDirectories: false)
        try AtomicFile.write(Data(decisionsCSV.utf8), to: directory.appendingPathComponent("decisions.csv").path, createDirectories: false)
        if o.withModel {
            let best = directory.appendingPathComponent("best")
            try fm.createDirectory(at: best, withIntermediateDirectories: true)
            try writeModelOutput(to: best.appendingPathComponent("lfads_output_fixture.h5").path, seed: o.seed)
        }
        var snap = try RunDirectoryReader(directory: directory).snapshot(now: o.start.addingTimeInterval(Double(o.generations) * o.generationSeconds + 30))
        snap.run = RunInfo(name: directory.lastPathComponent, status: .running, generation: o.generations,
                           maxGenerations: o.generations + 4, population: o.workers, minimize: true, mode: "sync",
                           createdAt: o.start, updatedAt: snap.takenAt, logScaledHPs: RunInfo.logScaledHPs(of: policy.space))
        var processes: [ProcessRow] = []
        for i in 0..<3 {
            let dead = i == 2
            let age: Double = dead ? 95 : Double(i + 1) * 2
            let job: String? = i == 0 ? "w0/g\(o.generations)" : nil
            processes.append(ProcessRow(id: "client-a/\(i)", client: "client-a", host: i < 2 ? "node1" : "node2", slot: i,
                                        pid: 4100 + i, status: dead ? .dead : .alive, startedAt: o.start,
                                        lastHeartbeat: snap.takenAt.addingTimeInterval(-age), job: job, failures: dead ? 1 : 0))
        }
        snap.processes = processes
        snap.jobs = JobCounts(queued: o.workers - 1, claimed: 1, done: o.workers * o.generations - 1, failed: 1, retries: 2)
        return snap
    }

    /// An LFADS-style output file: valid_{data,output_params,factors,co_means,truth,latents} + conversion_factor.
    /// Rates are a noisy version of truth; factors are an affine map of the latents plus noise.
    public static func writeModelOutput(to path: String, seed: UInt64, trials: Int = 8, time: Int = 40, neurons: Int = 12,
                                        factors: Int = 4, latents: Int = 3, inputs: Int = 1) throws {
        var rng = PBTRandom(seed: seed &+ 99)
        func u() -> Double { Double.random(in: 0..<1, using: &rng) }
        func gauss() -> Double { sqrt(-2 * log(max(u(), 1e-12))) * cos(2 * Double.pi * u()) }
        var lat = [Float](), truth = [Float](), rates = [Float](), data = [Float](), fac = [Float](), co = [Float]()
        let wOut = (0..<(latents * neurons)).map { _ in gauss() * 0.8 }
        let wFac = (0..<(latents * factors)).map { _ in gauss() }
        let cf = 2.0
        for b in 0..<trials {
            let phase = Double(b) * 0.7
            for t in 0..<time {
                let z = (0..<latents).map { k in sin(Double(t) * 0.18 * Double(k + 1) + phase + Double(k)) }
                lat += z.map(Float.init)
                for n in 0..<neurons {
                    var a = -1.2
                    for k in 0..<latents { a += wOut[k * neurons + n] * z[k] }
                    let r = exp(a)                              // counts per bin
                    truth.append(Float(r * cf))                  // stored ×conversion_factor, as in the OL format
                    rates.append(Float(max(r * (1 + 0.1 * gauss()), 1e-4)))
                    data.append(Float(poisson(r, u)))
                }
                for f in 0..<factors {
                    var v = 0.0
                    for k in 0..<latents { v += wFac[k * factors + f] * z[k] }
                    fac.append(Float(v + 0.05 * gauss()))
                }
                for _ in 0..<inputs { co.append(Float(t == 10 + b % 5 ? 1.5 : 0.05 * gauss())) }
            }
        }
        try AtomicFile.write(to: path, createDirectories: false) { tmp in
            let f = try HDF5File(path: tmp, mode: .create)
            defer { f.close() }
            try f.write("valid_data", floats: data, shape: [trials, time, neurons])
            try f.write("valid_output_params", floats: rates, shape: [trials, time, neurons])
            try f.write("valid_factors", floats: fac, shape: [trials, time, factors])
            try f.write("valid_co_means", floats: co, shape: [trials, time, inputs])
            try f.write("valid_truth", floats: truth, shape: [trials, time, neurons])
            try f.write("valid_latents", floats: lat, shape: [trials, time, latents])
            try f.writeScalar("conversion_factor", cf)
        }
    }

    static func poisson(_ lambda: Double, _ u: () -> Double) -> Int {
        let l = exp(-lambda)
        var k = 0, p = 1.0
        repeat { k += 1; p *= u() } while p > l && k < 1000
        return k - 1
    }
}

/// The fixture snapshot as a live source (what `autolfads dashboard --fixture` serves).
public struct FixtureSource: RunSnapshotSource {
    public let directory: URL
    public let base: RunSnapshot
    let reader: RunDirectoryReader
    public init(directory: URL, base: RunSnapshot, cacheFiles: Bool = true) {
        self.directory = directory; self.base = base
        reader = RunDirectoryReader(directory: directory, cache: cacheFiles ? MetricsFileCache() : nil)
    }
    public func snapshot(now: Date) async throws -> RunSnapshot {
        var s = try reader.snapshot(now: base.takenAt)
        s.run = base.run; s.processes = base.processes; s.jobs = base.jobs
        return s
    }
}
