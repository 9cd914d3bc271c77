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

    @Test func overridingHPsKeepsStateAndTakesNewHPs() throws {
        var newConfig = sample().config
        newConfig.lrInit = 1e-3
        newConfig.klCoScale = 5e-5
        let merged = try sample().overridingHPs(with: newConfig)
        #expect(merged.config == newConfig)
        #expect(merged.parameters == sample().parameters && merged.adamM == sample().adamM && merged.adamStep == 42 && merged.epoch == 3)
        #expect(merged.history.plateau.lr == 1e-3)
        #expect(merged.history.smoothedValid == sample().history.smoothedValid)
        var other = newConfig
        other.genDim = 8
        #expect(throws: CheckpointError.architectureMismatch(key: "gen_dim", checkpoint: "7", config: "8")) {
            _ = try sample().overridingHPs(with: other)
        }
    }
}
