import Foundation
import TensorBoard

/// A job's TensorBoard events, written into its worker's directory (`workers/w<NNN>/`, one
/// TensorBoard run per worker) when `logging.tensorboard` is on: the epoch scalars of `metrics.csv`
/// at step = epoch, then at step = generation the score (`metricTag`, when finite) and `hp/<name>`
/// for each hyperparameter. One file per generation (index = generation), written atomically at the
/// end of the job; a retried job replaces the file of its generation, so no step appears twice.
enum WorkerEvents {
    /// The scalars of one epoch.
    typealias Step = (step: Int, wallTime: Double, scalars: [(tag: String, value: Double)])

    static func write(job: WorkerJob, epochs: [Step], score: Double?, metricTag: String) throws {
        guard job.config.tensorBoard else { return }
        let dir = (job.outputDirectory as NSString).deletingLastPathComponent
        let now = Date().timeIntervalSince1970
        var generation: [(tag: String, value: Double)] = score.map { [(metricTag, $0)] } ?? []
        generation += job.hps.keys.sorted().map { ("hp/\($0)", job.hps[$0]!) }
        let bytes = TensorBoardEvents.file(createdAt: now, steps: epochs + [(job.generation, now, generation)])
        for old in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        where TensorBoardEvents.isEventFile(old, index: job.generation) {
            try? FileManager.default.removeItem(atPath: (dir as NSString).appendingPathComponent(old))
        }
        let name = TensorBoardEvents.fileName(createdAt: now, host: EventFileWriter.hostName(), pid: getpid(), index: job.generation)
        try FileIO.write(Data(bytes), to: (dir as NSString).appendingPathComponent(name))
    }
}
