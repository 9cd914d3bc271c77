import FileSystem
import Foundation
import Testing
@testable import LFADSModel

@Suite struct CheckpointTests {
    func sample() -> Checkpoint {
        var config = LFADSConfig()
        config.genDim = 7
        var history = TrainingHistory(config: config)
        history.smoothedValid.update(0.25)
        history.bestScore = 0.25
        return Checkpoint(config: config, parameters: (0..<1000).map { Float($0) * 0.5 }, adamM: (0..<1000).map { Float($0) },
                          adamV: (0..<1000).map { Float($0) * 2 }, adamStep: 42, epoch: 3, rngStates: [1, 2, 3, 4, 5],
                          history: history)
    }

    func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    @Test func roundTripsThroughAFile() throws {
        let path = tempPath("a.ckpt")
        try CheckpointCodec.write(sample(), to: path)
        #expect(try CheckpointCodec.read(from: path) == sample())
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(leftovers == ["a.ckpt"], "no temp files left behind")
    }

    @Test func corruptionAndTruncationAreRejected() throws {
        let bytes = try CheckpointCodec.encode(sample())
        for flip in [3, 100, bytes.count / 2, bytes.count - 20, bytes.count - 1] {
            var damaged = bytes
            damaged[flip] ^= 0x10
            #expect(throws: CheckpointError.self) { _ = try CheckpointCodec.decode(damaged) }
        }
        for cut in [0, 10, bytes.count / 3, bytes.count - 1] {
            #expect(throws: CheckpointError.self) { _ = try CheckpointCodec.decode(Array(bytes[0..<cut])) }
        }
        #expect(throws: CheckpointError.self) { _ = try CheckpointCodec.read(from: "/nonexistent/x.ckpt") }
    }

    /// One container for every checkpoint: the LFADS sections are the payload of the same checksummed
    /// container the toy objective's checkpoints use, and its reader accepts them.
    @Test func lfadsCheckpointsAreTheSharedContainer() throws {
        let bytes = try CheckpointCodec.encode(sample())
        #expect(Array(bytes.prefix(8)) == Array("ALFDCKPT".utf8))
        let payload = try ChecksummedFile.decode(Data(bytes))
        #expect(Array(payload.prefix(8)) == Array("LFADSCKP".utf8) && payload.count == bytes.count - ChecksummedFile.headerSize)
        var damaged = bytes
        damaged[bytes.count - 1] ^= 1
        let e = #expect(throws: CheckpointError.self) { _ = try CheckpointCodec.decode(damaged, path: "x.ckpt") }
        #expect(e.map { "\($0)".contains("checksum mismatch") && "\($0)".contains("x.ckpt") } == true)
    }

    /// A checkpoint written by the release before the shared container (bare LFADSCKP sections with their own
    /// trailing checksum; `autolfads train` of a tiny model for one epoch on data/lorenz_small.h5) still reads,
    /// and a damaged copy of it is still caught.
    @Test func checkpointsFromBeforeTheContainerStillRead() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("legacy_checkpoint.ckpt").path
        let old = try CheckpointCodec.read(from: path)
        #expect(old.epoch == 1 && old.config.genDim == 8 && old.config.icDim == 4 && !old.parameters.isEmpty)
        #expect(old.parameters.allSatisfy(\.isFinite) && old.adamStep > 0)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes.prefix(8)) == Array("LFADSCKP".utf8))
        bytes[bytes.count / 2] ^= 0x20
        #expect(throws: CheckpointError.self) { _ = try CheckpointCodec.decode(bytes) }
        // Re-encoded, it is the container form of the same state.
        #expect(try CheckpointCodec.decode(try CheckpointCodec.encode(old)) == old)
    }

    @Test func overridingHPsKeepsStateAndTakesNewHPs() throws {
        var newConfig = sample().config
        newConfig.lrInit = 1e-3
        newConfig.klCoScale = 5e-5
        let merged = try sample().overridingHPs(with: newConfig)
        #expect(merged.config == newConfig)
        #expect(merged.parameters == sample().parameters && merged.adamM == sample().adamM && merged.adamStep == 42 && merged.epoch == 3)
        #expect(merged.history.plateau.lr == 1e-3)
        #expect(merged.history.smoothedValid == sample().history.smoothedValid)
        #expect(merged.history.bestScore == .infinity && !merged.history.earlyStopping.hasBest,
                "the best model of the new hyperparameters is chosen afresh, like early stopping")
        var other = newConfig
        other.genDim = 8
        #expect(throws: CheckpointError.architectureMismatch(key: "gen_dim", checkpoint: "7", config: "8")) {
            _ = try sample().overridingHPs(with: other)
        }
    }
}
