import Foundation
import Coordination

/// `autolfads run`: the server in this process plus client child processes on this machine.
public struct LocalRun {
    public var config: RunConfig
    public var slots: Int
    public var clients: Int
    public var executable: String
    public var log: (String) -> Void = { print($0) }
    /// Extra `autolfads client` arguments for the client processes (e.g. `--runtime container --image …`).
    public var clientArguments: [String] = []
    /// The config was already preflighted (`PBTServer.prepareNewRun`).
    public var preflightDone = false

    public init(config: RunConfig, slots: Int, clients: Int, executable: String) {
        self.config = config; self.slots = slots; self.clients = clients; self.executable = executable
    }

    /// Starts clients, runs the server to the end, waits for the clients, returns the summary.
    public func run() async throws -> PBTServer.Summary {
        try config.createRunDirectory()
        let store = try await openCoordinationStore(config.store, onRetry: { print($0) })
        let server = PBTServer(config: config, store: store, log: log)
        server.runsFinalStep = true
        server.preflightDone = preflightDone
        let record = try await server.openRun()
        let reopened = try await server.reopenIfFinalStepFailed()   // before the clients, which leave a finished run
        if (record.status == .done || record.status == .failed) && !reopened {   // nothing to run: just report
            defer { Task { await store.close() } }
            return try await server.run()
        }
        var children: [ChildProcess] = []
        let per = slots / clients, extra = slots % clients
        for i in 0..<clients {
            let k = per + (i < extra ? 1 : 0)
            let logPath = (config.runDirectory as NSString).appendingPathComponent("client-\(i).log")
            children.append(try ChildProcess(
                executable: executable,
                arguments: ["client", "--store", config.store, "--run", config.name, "--slots", String(k), "--storage", config.storage,
                            "--parent-pid", String(getpid())] + clientArguments,
                environment: ProcessInfo.processInfo.environment, logPath: logPath))
        }
        log("started \(clients) client process(es) with \(slots) slot(s) in total; logs in \(config.runDirectory)/client-*.log")
        let summary: PBTServer.Summary
        do { summary = try await server.run() }
        catch {
            for c in children { _ = await c.terminate(grace: 5) }
            await store.close()
            throw error
        }
        for c in children {
            let deadline = Date().addingTimeInterval(config.heartbeatInterval * 2 + 10)
            while c.exit == nil && Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
            if c.exit == nil { _ = await c.terminate(grace: 5) }
        }
        await store.close()
        return summary
    }
}

/// The closing summary printed by `autolfads run` and `autolfads server`.
public enum RunSummaryText {
    public static func render(_ s: PBTServer.Summary) -> String {
        var lines = ["run \(s.run) finished (\(s.stopReason)) after \(s.generations) generation(s)"]
        if let w = s.bestWorker, let g = s.bestGeneration {
            lines.append("best: worker \(w) at generation \(g), score \(s.bestScore.map { String(format: "%.6g", $0) } ?? "NaN")")
            let hps = s.bestHyperparameters ?? [:]
            lines.append("best hyperparameters: " + hps.keys.sorted().map { "\($0)=\(String(format: "%.4g", hps[$0]!))" }.joined(separator: " "))
            if let failure = s.finalStepError {
                lines.append("the best model's outputs were NOT written: \(failure); run the same command again to retry this step")
            } else {
                lines.append("outputs: \(s.bestDirectory)")
            }
        } else {
            lines.append("no worker produced a valid score; see the worker logs under the run directory")
        }
        return lines.joined(separator: "\n")
    }
}
