import Foundation
import FileSystem

/// The shared-storage layout (see docs/STORAGE.md):
///
///     <root>/data/                                   datasets
///     <root>/runs/<run>/decisions.csv                PBT decisions, one row per worker-generation
///     <root>/runs/<run>/hp_log.csv                   hyperparameters per worker-generation
///     <root>/runs/<run>/best/                        best model so far (checkpoint.bin, hps.json)
///     <root>/runs/<run>/workers/w<NNN>/g<NNN>/       checkpoint.bin, hps.json, metrics.csv, log.txt
///     <root>/runs/<run>/workers/w<NNN>/events.out.tfevents.*   TensorBoard event files (one per generation)
///     <root>/runs/<run>/README.txt                   what each entry is (`RunDirectoryReadme`)
///
/// Paths stored in the database are relative to the root, so machines may mount it in different places.
public struct SharedStorage: Sendable, Equatable {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }
    public init(rootPath: String) { self.init(root: URL(fileURLWithPath: rootPath, isDirectory: true)) }

    public var dataDirectory: URL { root.appendingPathComponent("data", isDirectory: true) }
    public var runsDirectory: URL { root.appendingPathComponent("runs", isDirectory: true) }

    public func runDirectory(_ run: String) throws -> URL {
        try Self.validate(run)
        return runsDirectory.appendingPathComponent(run, isDirectory: true)
    }
    public func decisionsCSV(run: String) throws -> URL { try runDirectory(run).appendingPathComponent("decisions.csv") }
    public func hpLogCSV(run: String) throws -> URL { try runDirectory(run).appendingPathComponent("hp_log.csv") }
    public func bestDirectory(run: String) throws -> URL { try runDirectory(run).appendingPathComponent("best", isDirectory: true) }

    public func workerDirectory(run: String, worker: Int) throws -> URL {
        guard worker >= 0 else { throw StorageError.invalidName("worker index must be ≥ 0, got \(worker)") }
        return try runDirectory(run).appendingPathComponent("workers", isDirectory: true)
            .appendingPathComponent(Self.workerName(worker), isDirectory: true)
    }

    /// `runs/<run>/workers/w<NNN>/g<NNN>/`.
    public func generationDirectory(run: String, worker: Int, generation: Int) throws -> URL {
        guard generation >= 0 else { throw StorageError.invalidName("generation must be ≥ 0, got \(generation)") }
        return try workerDirectory(run: run, worker: worker).appendingPathComponent(Self.generationName(generation), isDirectory: true)
    }

    public func checkpoint(run: String, worker: Int, generation: Int) throws -> URL {
        try generationDirectory(run: run, worker: worker, generation: generation).appendingPathComponent("checkpoint.bin")
    }
    public func hpsJSON(run: String, worker: Int, generation: Int) throws -> URL {
        try generationDirectory(run: run, worker: worker, generation: generation).appendingPathComponent("hps.json")
    }
    public func metricsCSV(run: String, worker: Int, generation: Int) throws -> URL {
        try generationDirectory(run: run, worker: worker, generation: generation).appendingPathComponent("metrics.csv")
    }
    public func logFile(run: String, worker: Int, generation: Int) throws -> URL {
        try generationDirectory(run: run, worker: worker, generation: generation).appendingPathComponent("log.txt")
    }

    /// `url` relative to the root (for the database), e.g. `runs/r1/workers/w003/g002/checkpoint.bin`.
    public func relativePath(_ url: URL) throws -> String {
        let base = root.path.hasSuffix("/") ? root.path : root.path + "/"
        let p = url.standardizedFileURL.path
        guard p.hasPrefix(base) else { throw StorageError.invalidName("'\(p)' is outside the shared storage root '\(root.path)'") }
        return String(p.dropFirst(base.count))
    }

    /// Resolves a root-relative path from the database; refuses absolute paths and `..`.
    public func resolve(_ relative: String) throws -> URL {
        let parts = relative.split(separator: "/")
        guard !relative.hasPrefix("/"), !parts.isEmpty, !parts.contains("..") else {
            throw StorageError.invalidName("'\(relative)' is not a path inside the shared storage (relative, no '..')")
        }
        return root.appendingPathComponent(relative)
    }

    /// Generations present for a worker (directories `g<NNN>`), ascending; temporaries ignored.
    public func generations(run: String, worker: Int) throws -> [Int] {
        let dir = try workerDirectory(run: run, worker: worker)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.compactMap { n in n.hasPrefix("g") ? Int(n.dropFirst()) : nil }.sorted()
    }

    // MARK: Files

    /// Atomically writes a value as pretty JSON (keys sorted).
    public func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try enc.encode(value)
        try StorageError.mapping { try AtomicFile.write(data, to: url) }
    }

    public func readJSON<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw StorageError.notFound(url.path) }
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw StorageError.io("'\(url.path)' is not valid JSON for \(type): \(error)")
        }
    }

    static func workerName(_ w: Int) -> String { "w" + pad(w) }
    static func generationName(_ g: Int) -> String { "g" + pad(g) }
    static func pad(_ n: Int) -> String { let s = String(n); return s.count >= 3 ? s : String(repeating: "0", count: 3 - s.count) + s }

    /// Run names become directory names: letters, digits, `-`, `_`, `.`; not starting with `.`.
    static func validate(_ run: String) throws {
        let ok = !run.isEmpty && run.count <= 128 && !run.hasPrefix(".")
            && run.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }
        guard ok else {
            throw StorageError.invalidName("run name '\(run)' must be 1–128 characters of A–Z a–z 0–9 - _ . and not start with '.'")
        }
    }
}
