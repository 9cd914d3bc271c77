import Foundation
import FileSystem

/// LFADS trainer checkpoint: the one checkpoint container (`ChecksummedFile`: 32-byte header with length
/// and CRC-64) around the trainer's sections: magic "LFADSCKP", version, section lengths, config JSON,
/// parameters, Adam m and v (Float32, little-endian), Adam step, epoch, RNG states, history JSON.
/// Written atomically (temp + fsync + rename). Files written before the container (the same sections
/// followed by a 64-bit checksum of their own, without the container header) are still read.
public enum CheckpointCodec {
    static let magic = Array("LFADSCKP".utf8)
    static let version: UInt32 = 1

    /// Serialises a checkpoint to bytes (pure).
    public static func encode(_ c: Checkpoint) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let configJSON = Array(try encoder.encode(c.config)), historyJSON = Array(try encoder.encode(c.history))
        // Room for the container's header, sealed in place at the end (no copy of the sections).
        var out = [UInt8](repeating: 0, count: ChecksummedFile.headerSize) + magic
        out.reserveCapacity(ChecksummedFile.headerSize + 64 + configJSON.count + historyJSON.count + 4 * (c.parameters.count * 3) + 8 * c.rngStates.count)
        appendInt(&out, UInt64(version))
        for n in [configJSON.count, c.parameters.count, c.adamM.count, c.adamV.count, c.rngStates.count, historyJSON.count] {
            appendInt(&out, UInt64(n))
        }
        out += configJSON
        for array in [c.parameters, c.adamM, c.adamV] {
            array.withUnsafeBytes { out += $0 }   // little-endian host (x86-64, arm64)
        }
        appendInt(&out, UInt64(c.adamStep)); appendInt(&out, UInt64(c.epoch))
        for s in c.rngStates { appendInt(&out, s) }
        out += historyJSON
        ChecksummedFile.seal(&out)
        return out
    }

    /// Largest config or history JSON section accepted (bytes); real ones are a few KiB.
    static let maxJSONBytes = 4 << 20

    /// Parses bytes written by `encode`; any damage is reported as `CheckpointError.corrupt`.
    /// The checksum only catches accidents: every decoded length is checked against the bytes that
    /// remain before anything is allocated, and every decoded number (epoch, Adam step, the config's
    /// keys, the schedules' counters) against its range, so a crafted file is an error, never a trap.
    public static func decode(_ bytes: [UInt8], path: String = "checkpoint") throws -> Checkpoint {
        func corrupt(_ why: String) -> CheckpointError { .corrupt(path: path, reason: why) }
        let sections: [UInt8]
        if ChecksummedFile.hasMagic(bytes) {
            do { sections = Array(bytes[try ChecksummedFile.payloadRange(bytes)]) } catch { throw corrupt(error.reason) }
        } else if bytes.count >= magic.count + 8 * 8 + 8, Array(bytes[0..<magic.count]) == magic {
            // Before the container: the sections, then their own checksum.
            let stored = readInt(bytes, bytes.count - 8)
            guard legacyChecksum(bytes[0..<(bytes.count - 8)]) == stored else { throw corrupt("checksum mismatch: truncated or damaged") }
            sections = Array(bytes[0..<(bytes.count - 8)])
        } else {
            throw corrupt("not an autolfads checkpoint (bad magic or too short)")
        }
        return try decodeSections(sections, path: path)
    }

    /// Parses the trainer's sections (the container's payload).
    static func decodeSections(_ bytes: [UInt8], path: String) throws -> Checkpoint {
        func corrupt(_ why: String) -> CheckpointError { .corrupt(path: path, reason: why) }
        guard bytes.count >= magic.count + 8 * 8, Array(bytes[0..<magic.count]) == magic else {
            throw corrupt("not an LFADS checkpoint payload (bad magic or too short)")
        }
        var pos = magic.count
        func next() -> UInt64 { defer { pos += 8 }; return readInt(bytes, pos) }
        guard next() == UInt64(version) else { throw corrupt("unsupported version") }
        let raw = (0..<6).map { _ in next() }
        // Each section's length against the bytes left (header, step and epoch excluded),
        // before any arithmetic on it or any allocation.
        let available = bytes.count - pos - 16
        let sections = [("config JSON", 1), ("parameters", 4), ("Adam m", 4), ("Adam v", 4), ("RNG states", 8), ("history JSON", 1)]
        for (k, (name, unit)) in sections.enumerated() where raw[k] > UInt64(max(available, 0) / unit) {
            throw corrupt("the \(name) section declares \(raw[k]) entries, more than the \(max(available, 0)) bytes left can hold")
        }
        let lengths = raw.map { Int($0) }   // each ≤ available now: no overflow below
        let expected = lengths[0] + 4 * (lengths[1] + lengths[2] + lengths[3]) + 16 + 8 * lengths[4] + lengths[5]
        guard pos + expected == bytes.count else { throw corrupt("section lengths do not match the file size") }
        guard lengths[2] == lengths[1], lengths[3] == lengths[1] else {
            throw corrupt("Adam state has \(lengths[2]) and \(lengths[3]) values for \(lengths[1]) parameters")
        }
        guard lengths[4] <= 64 else { throw corrupt("\(lengths[4]) RNG words is out of range; allowed 0…64 (a trainer keeps 8)") }
        for k in [0, 5] where lengths[k] > maxJSONBytes {
            throw corrupt("the \(sections[k].0) section is \(lengths[k]) bytes; at most \(maxJSONBytes) are accepted")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        func take(_ n: Int) -> ArraySlice<UInt8> { defer { pos += n }; return bytes[pos..<(pos + n)] }
        func floats(_ n: Int) -> [Float] {
            let slice = take(4 * n)
            return [Float](unsafeUninitializedCapacity: n) { buf, count in
                if n > 0 { slice.withUnsafeBytes { raw in _ = memcpy(buf.baseAddress!, raw.baseAddress!, 4 * n) } }
                count = n
            }
        }
        let config: LFADSConfig, history: TrainingHistory
        let params: [Float], m: [Float], v: [Float]
        let rawStep: UInt64, rawEpoch: UInt64
        let rng: [UInt64]
        do {
            config = try decoder.decode(LFADSConfig.self, from: Data(take(lengths[0])))
            params = floats(lengths[1]); m = floats(lengths[2]); v = floats(lengths[3])
            rawStep = next(); rawEpoch = next()
            rng = (0..<lengths[4]).map { _ in next() }
            history = try decoder.decode(TrainingHistory.self, from: Data(take(lengths[5])))
        } catch {
            throw corrupt("unreadable section (\(String(describing: error).split(separator: "\n").first ?? ""))")
        }
        do { try config.validate() } catch { throw corrupt("its config is invalid: \(error)") }
        let maxEpoch = UInt64(LFADSConfig.Limits.epochs), maxStep = UInt64(1) << 53
        guard rawEpoch <= maxEpoch else { throw corrupt("epoch \(rawEpoch) is out of range; allowed 0…\(maxEpoch)") }
        guard rawStep <= maxStep else { throw corrupt("Adam step \(rawStep) is out of range; allowed 0…\(maxStep)") }
        if let problem = historyProblem(history) { throw corrupt("training history: \(problem)") }
        return Checkpoint(config: config, parameters: params, adamM: m, adamV: v, adamStep: Int(rawStep),
                          epoch: Int(rawEpoch), rngStates: rng, history: history)
    }

    /// The first out-of-range value of the decoded schedules (their counters are incremented while
    /// training, so each must leave room), or nil.
    static func historyProblem(_ h: TrainingHistory) -> String? {
        let limit = LFADSConfig.Limits.epochs
        for (name, value, low) in [("plateau.patience", h.plateau.patience, 0), ("plateau.badEpochs", h.plateau.badEpochs, 0),
                                   ("earlyStopping.patience", h.earlyStopping.patience, 0),
                                   ("earlyStopping.burnInEpoch", h.earlyStopping.burnInEpoch, -1),
                                   ("earlyStopping.bestEpoch", h.earlyStopping.bestEpoch, -1),
                                   ("earlyStopping.waited", h.earlyStopping.waited, 0)] where value < low || value > limit {
            return "\(name) \(value) is out of range; allowed \(low)…\(limit)"
        }
        for (name, value) in [("plateau.lr", h.plateau.lr), ("plateau.factor", h.plateau.factor), ("plateau.minLR", h.plateau.minLR)]
        where !value.isFinite || value < 0 {
            return "\(name) \(value) must be a finite number ≥ 0"
        }
        return nil
    }

    /// Writes atomically (`AtomicFile`: a temporary in the same folder, fsync, rename over `path`); the
    /// folder must exist. A failure is `CheckpointError.writeFailed` carrying the file layer's `errno`.
    public static func write(_ c: Checkpoint, to path: String) throws {
        try write(c, to: [path])
    }

    /// Encodes once and writes the same bytes to each of `paths`, in order, each atomically.
    public static func write(_ c: Checkpoint, to paths: [String]) throws {
        let bytes = Data(try encode(c))
        for path in paths {
            do { try AtomicFile.write(bytes, to: path, createDirectories: false) } catch let e as FileSystemError {
                throw CheckpointError.writeFailed(path: path, cause: e)
            }
        }
    }

    /// Reads and verifies a checkpoint file.
    public static func read(from path: String) throws -> Checkpoint {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError.unreadable(path: path, reason: "no such file or not readable (check the path)")
        }
        return try decode(Array(data), path: path)
    }

    static func appendInt(_ out: inout [UInt8], _ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { out += $0 }
    }

    static func readInt(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
        return v
    }

    /// The checksum of files from before the container (word-wise multiply–rotate mixing with a byte tail
    /// and length finaliser); only read, never written.
    static func legacyChecksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        bytes.withUnsafeBytes { raw in
            let words = raw.count / 8
            for i in 0..<words {
                let w = raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
                h = (h ^ (w &* 0x9E37_79B9_7F4A_7C15))
                h = (h << 29 | h >> 35) &* 0xBF58_476D_1CE4_E5B9
            }
            for i in (8 * words)..<raw.count { h = (h ^ UInt64(raw[i])) &* 0x100_0000_01B3 }
        }
        h ^= UInt64(bytes.count)
        h = (h ^ (h >> 31)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 29)
    }
}
