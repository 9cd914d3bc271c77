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
        do { return try JSONDecoder().decode(ToyState.self, from: payload) }
        catch { throw RuntimeError("checkpoint \(path) has an unreadable toy payload") }
    }
}
