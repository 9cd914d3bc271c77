import Foundation
import Coordination

/// Toy-model checkpoints: the JSON state inside the shared storage's checksummed container
/// (`CheckpointFile`: header with length and CRC-64). A truncated or altered file fails `read`.
enum ToyCheckpoint {
    static func write(_ state: ToyState, to path: String) throws {
        try Coordination.CheckpointFile.write(JSONEncoder().encode(state), to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> ToyState {
        let payload: Data
        do { payload = try Coordination.CheckpointFile.read(URL(fileURLWithPath: path)) }
        catch { throw RuntimeError("\(error)") }
        let state: ToyState
        do { state = try JSONDecoder().decode(ToyState.self, from: payload) }
        catch { throw RuntimeError("checkpoint \(path) has an unreadable toy payload") }
        // The checksum only catches accidents: bound what a crafted payload could set.
        guard (0...RunConfig.Limits.epochs).contains(state.epochs) else {
            throw RuntimeError("checkpoint \(path) is corrupt (epochs \(state.epochs) is out of range; allowed 0…\(RunConfig.Limits.epochs)); delete it or start from another checkpoint")
        }
        guard (1...maxDimension).contains(state.theta.count), state.theta.allSatisfy({ $0.isFinite }) else {
            throw RuntimeError("checkpoint \(path) is corrupt (theta has \(state.theta.count) values, or a non-finite one; allowed 1…\(maxDimension) finite values); delete it or start from another checkpoint")
        }
        return state
    }

    /// Most coordinates a toy state may have (one per search-space hyperparameter).
    static let maxDimension = 10_000
}
