import ArgumentParser
import Benchmarks
import Foundation
import Runtime

/// `autolfads bench runtime`: slot utilisation and decision latency, sync vs async (toy objective), with
/// standby workers and, as the baseline in the same run, with cold worker starts.
struct BenchRuntimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runtime",
        abstract: "Slot utilisation and server decision latency of real server/client/worker processes, sync vs async PBT (toy objective).")
    @Option(name: .long) var workers: Int = 8
    @Option(name: .long) var slots: Int = 2
    @Option(name: .long) var generations: Int = 10
    @Option(name: .long, help: "Epochs per generation.") var epochs: Int = 4
    @Option(name: .customLong("epoch-seconds"), help: "Simulated seconds per epoch (a job lasts epochs × this).") var epochSeconds: Double = 0.25
    @Option(name: .long, help: "Relative spread of worker speeds.") var spread: Double = 0.4
    @Flag(name: .customLong("no-baseline"), help: "Skip the cold-start (no standby worker) baseline runs.") var noBaseline = false

    func run() async throws {
        let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("autolfads-bench-\(getpid())")
        let exe = try AutoLFADSExecutable.path()
        let (w, k, g, e, s, sp) = (workers, slots, generations, epochs, epochSeconds, spread)
        let variants: [(RunConfig.Mode, Bool)] = noBaseline ? [(.sync, true), (.async, true)]
            : [(.sync, false), (.async, false), (.sync, true), (.async, true)]
        do {
            var results: [RuntimeBenchmark.Result] = []
            for (mode, standby) in variants {
                results.append(try await RuntimeBenchmark.run(mode: mode, standby: standby, workers: w, slots: k, generations: g,
                                                              epochs: e, epochSeconds: s, spread: sp, directory: dir, executable: exe))
            }
            print("runtime benchmark: \(w) workers × \(k) slots × \(g) generations, \(e) epochs of \(s) s (spread ±\(Int(sp * 100))%)")
            print("mode   workers    wall s   train s  utilisation  overhead ms/job  decision ms (mean / max)  jobs  start s  end s  in-run util")
            for r in results {
                let label = r.mode.padding(toLength: 7, withPad: " ", startingAt: 0)
                    + (r.standby ? "standby" : "cold").padding(toLength: 8, withPad: " ", startingAt: 0)
                print(label + String(format: "  %7.2f  %7.2f  %10.1f%%  %15.1f  %10.2f / %-10.2f  %4d  %7.2f  %5.2f  %10.1f%%", r.wallSeconds, r.trainSeconds,
                                     r.utilisation * 100, r.overheadMillisecondsPerJob, r.decisionMillisecondsMean,
                                     r.decisionMillisecondsMax, r.jobs, r.startSeconds, r.endSeconds, r.inRunUtilisation * 100))
            }
            func find(_ m: String, _ sb: Bool) -> RuntimeBenchmark.Result? { results.first { $0.mode == m && $0.standby == sb } }
            if let a = find("async", true), let y = find("sync", true) {
                print(String(format: "async/sync (standby): utilisation ×%.2f, wall time ×%.2f", a.utilisation / y.utilisation,
                             a.wallSeconds / y.wallSeconds))
            }
            if let a = find("async", true), let c = find("async", false) {
                print(String(format: "standby/cold (async): overhead per job ×%.2f, utilisation %+.1f points",
                             a.overheadMillisecondsPerJob / max(c.overheadMillisecondsPerJob, 1e-9), (a.utilisation - c.utilisation) * 100))
            }
            try? FileManager.default.removeItem(atPath: dir)
        } catch { throw BenchFailure("\(error)") }
    }
}
