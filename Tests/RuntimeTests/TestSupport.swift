import Foundation
import Testing
import TestSupport
@testable import Runtime

/// Helpers shared by the runtime tests.
enum TestSupport {
    /// A fresh temporary directory, removed when the test process exits
    /// (kept when `AUTOLFADS_KEEP_TEST_DIRS` is set, for debugging).
    static func tempDir(_ label: String = "rt") -> String {
        let p = (NSTemporaryDirectory() as NSString).appendingPathComponent("autolfads-\(label)-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        TempDirs.shared.add(p)
        return p
    }

    /// The `autolfads` executable built next to the test bundle (`swift build --build-tests` builds it).
    static func autolfadsBinary() throws -> String {
        do { return try AutolfadsBinary.path() } catch { throw RuntimeError("\(error)") }
    }

    /// Live processes whose parent is `pid` (from /proc).
    static func childPids(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { p in
            guard let stat = try? String(contentsOfFile: "/proc/\(p)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")   // state, ppid, …
            return fields.count > 1 && fields[0] != "Z" && Int32(fields[1]) == pid
        }
    }

    /// Live descendants of `pid` (children, their children, …).
    static func descendantPids(of pid: Int32) -> [Int32] {
        childPids(of: pid).flatMap { [$0] + descendantPids(of: $0) }
    }

    /// Whether `pid` is a live process (not gone, not a zombie waiting to be reaped).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    /// Live children of `pid` whose command line contains `text`.
    static func childPids(of pid: Int32, commandContaining text: String) -> [Int32] {
        childPids(of: pid).filter { commandLine(of: $0).contains(text) }
    }

    /// The process's argv joined by spaces ("" when it is gone).
    static func commandLine(of pid: Int32) -> String {
        guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
    }

    /// A small toy-objective config rooted in `dir`.
    static func toyConfig(dir: String, name: String = "toy", population: Int = 4, generations: Int = 3,
                          extra: String = "") throws -> RunConfig {
        try RunConfig.parse(yaml: """
            name: \(name)
            objective: toy
            storage: \(dir)/storage
            population: \(population)
            epochs_per_generation: 3
            max_generations: \(generations)
            stopping: {enabled: false}
            faults: {heartbeat_interval: 0.5, heartbeat_timeout: 3, max_attempts: 2}
            \(extra)
            """, baseDirectory: dir)
    }
}

/// Temporary directories of this test process, deleted at exit.
final class TempDirs: @unchecked Sendable {
    static let shared: TempDirs = {
        let t = TempDirs()
        atexit {
            guard ProcessInfo.processInfo.environment["AUTOLFADS_KEEP_TEST_DIRS"] == nil else { return }
            for d in TempDirs.shared.all() { try? FileManager.default.removeItem(atPath: d) }
        }
        return t
    }()
    private let lock = NSLock()
    private var dirs: [String] = []
    func add(_ d: String) { lock.lock(); dirs.append(d); lock.unlock() }
    func all() -> [String] { lock.lock(); defer { lock.unlock() }; return dirs }
}
