import Engine
import Foundation
import LFADSData

extension Trainer {
    /// The full training state (weights, Adam m/v/step, epoch, RNG states, history).
    public func checkpoint() -> Checkpoint {
        let s = optimizer.state
        let rngs = [dataRNG.state, modelRNG.state].flatMap { [$0.s0, $0.s1, $0.s2, $0.s3] }
        return Checkpoint(config: config, parameters: network.store.snapshotValues(), adamM: s.m, adamV: s.v,
                          adamStep: s.step, epoch: epoch, rngStates: rngs, history: history)
    }

    /// Writes the training state to `path` atomically.
    public func saveCheckpoint(to path: String) throws {
        try CheckpointCodec.write(checkpoint(), to: path)
    }

    /// The checkpoint as bytes (the format of `CheckpointCodec`), e.g. for a coordination store.
    public func checkpointBytes() throws -> [UInt8] { try CheckpointCodec.encode(checkpoint()) }

    /// Restores from bytes made by `checkpointBytes()`; see `loadCheckpoint(_:overridingHPs:)`.
    public func restore(bytes: [UInt8], overridingHPs: Bool, source: String = "checkpoint") throws {
        try restore(CheckpointCodec.decode(bytes, path: source), overridingHPs: overridingHPs)
    }

    /// Restores the state saved at `path`.
    /// - Parameter overridingHPs: false = resume exactly (the checkpoint's config must equal this
    ///   trainer's); true = PBT exploit: weights, optimiser state, epoch and RNG states from the
    ///   file, every hyperparameter (the learning rate included) from this trainer's config.
    public func loadCheckpoint(_ path: String, overridingHPs: Bool) throws {
        try restore(CheckpointCodec.read(from: path), overridingHPs: overridingHPs)
    }

    /// Restores from an in-memory checkpoint; see `loadCheckpoint(_:overridingHPs:)`.
    public func restore(_ saved: Checkpoint, overridingHPs: Bool) throws {
        let ckpt: Checkpoint
        if overridingHPs {
            ckpt = try saved.overridingHPs(with: config)
        } else {
            if let key = LFADSConfig.keys.first(where: { saved.config.value(of: $0) != config.value(of: $0) && $0 != "threads" }) {
                throw CheckpointError.architectureMismatch(key: key, checkpoint: saved.config.value(of: key)!,
                                                           config: config.value(of: key)!)
            }
            ckpt = saved
        }
        guard ckpt.rngStates.count == 8 else {
            throw CheckpointError.corrupt(path: "checkpoint", reason: "expected 8 RNG words, found \(ckpt.rngStates.count)")
        }
        try network.store.restoreValues(ckpt.parameters)
        var s = optimizer.state
        s.m = ckpt.adamM; s.v = ckpt.adamV; s.step = ckpt.adamStep
        s.learningRate = Float(ckpt.history.plateau.lr)
        try optimizer.restore(s)
        let r = ckpt.rngStates
        dataRNG = Rng(state: .init(s0: r[0], s1: r[1], s2: r[2], s3: r[3]))
        modelRNG = Rng(state: .init(s0: r[4], s1: r[5], s2: r[6], s3: r[7]))
        epoch = ckpt.epoch
        history = ckpt.history
    }

    /// A trainer that continues the checkpoint at `path` exactly, with its saved config.
    public static func resuming(from path: String, dataset: LFADSDataset, threads: Int? = nil) throws -> Trainer {
        try resuming(from: path, datasets: [dataset], threads: threads)
    }

    /// A stitched trainer that continues the checkpoint at `path` exactly (`datasets` in session order).
    public static func resuming(from path: String, datasets: [LFADSDataset], names: [String]? = nil, threads: Int? = nil) throws -> Trainer {
        let saved = try CheckpointCodec.read(from: path)
        guard saved.config.sessionCount == datasets.count else {
            throw CheckpointError.architectureMismatch(key: "sessions", checkpoint: String(saved.config.sessionCount), config: String(datasets.count))
        }
        let trainer = try Trainer(config: saved.config, datasets: datasets, names: names, threads: threads)
        try trainer.restore(saved, overridingHPs: false)
        return trainer
    }
}
