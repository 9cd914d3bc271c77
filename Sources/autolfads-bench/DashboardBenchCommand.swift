import ArgumentParser
import Benchmarks
import Runtime

/// `autolfads bench dashboard`: dashboard read/render times and HTTP throughput on a generated run.
struct DashboardBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dashboard",
        abstract: "Time reading a run, rendering the dashboard, and HTTP requests (cached vs uncached).")
    @Option(help: "Workers in the generated run.") var workers: Int = 20
    @Option(help: "Generations in the generated run.") var generations: Int = 20
    @Option(help: "Epochs per generation (rows per metrics.csv).") var epochs: Int = 25
    @Option(help: "HTTP requests for the cached measurement.") var requests: Int = 200

    func run() async throws {
        var o = DashboardBenchmark.Options()
        o.workers = workers; o.generations = generations; o.epochs = epochs; o.requests = requests
        let options = o
        do { for line in try await DashboardBenchmark.run(options) { print(line) } }
        catch { throw BenchFailure("\(error)") }
    }
}
