import Foundation
import FileSystem
import Testing
import Coordination
@testable import Runtime

/// What a finished run leaves for people and their tools: TensorBoard event files read back by
/// TensorBoard's own `EventAccumulator` (values equal to the CSV logs), `README.txt` describing
/// every entry, and the report's "load these outputs" snippet run as written.
@Suite(.serialized) struct RunOutputsTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let data = here.appendingPathComponent("../../data/lorenz_small.h5").standardizedFileURL.path
    static let model = "{gen_dim: 16, fac_dim: 4, ic_enc_dim: 8, ci_enc_dim: 4, con_dim: 4, co_dim: 1, ic_dim: 8, batch_size: 128}"
    /// The NLB venv's python (`AUTOLFADS_NLB_PYTHON`, else `<repo>/.venv-nlb/bin/python`), where
    /// `scripts/deps --test` installs `tensorboard` and `h5py`.
    static var python: String {
        // Not standardized: that resolves the venv's symlinked python, which then ignores the venv.
        ProcessInfo.processInfo.environment["AUTOLFADS_NLB_PYTHON"]
            ?? here.deletingLastPathComponent().deletingLastPathComponent().path + "/.venv-nlb/bin/python"
    }

    /// Runs the venv's python with `args`; records an issue (never a silent pass) and returns nil when
    /// the venv is missing, lacks a module, or the script fails. Returns the output otherwise.
    static func runPython(_ args: [String], dir: String, what: String) async throws -> String? {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("the NLB venv python \(python) is missing: run scripts/deps --test (or set AUTOLFADS_NLB_PYTHON)")
            return nil
        }
        let log = dir + "/python-\(UUID().uuidString.prefix(6)).log"
        let p = try ChildProcess(executable: python, arguments: args, environment: ProcessInfo.processInfo.environment, logPath: log)
        let deadline = Date().addingTimeInterval(240)
        while p.exit == nil && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        let status = p.exit == nil ? await p.terminate(grace: 2) : await p.wait()
        let out = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard status == .exited(0) else {
            if out.contains("No module named") {
                Issue.record("\(python) lacks a module for \(what): run scripts/deps --test (\(out.split(separator: "\n").last ?? ""))")
            } else {
                Issue.record("\(what) failed (\(status)):\n\(out.suffix(3000))")
            }
            return nil
        }
        return out
    }

    static func json(_ out: String) throws -> [String: Any] {
        let line = out.split(separator: "\n").last(where: { $0.hasPrefix("{") }).map(String.init) ?? "{}"
        return try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
    }

    @Test func finishedRunHasTensorBoardFilesReadmeAndLoadSnippet() async throws {
        let h = try ClusterHarness(label: "outputs", yaml: """
            data: \(Self.data)
            population: 2
            max_generations: 2
            posterior_samples: 2
            model: \(Self.model)
            """, objective: "lfads")
        defer { Task { await h.stopAll() } }
        let p = try h.start(["run", "--config", h.configPath, "--no-dashboard", "--slots", "2"], log: "run.log")
        #expect(await h.exit(of: p, timeout: 300) == .exited(0), "\(h.logs())")
        let runDir = h.config.runDirectory

        // TensorBoard: one run per worker; every tag and step of the CSV logs, equal values.
        let script = Self.here.appendingPathComponent("tb_check.py").path
        if let out = try await Self.runPython([script, "run", runDir, "valid_recon_smth"], dir: h.dir, what: "tb_check.py run") {
            let summary = try Self.json(out)
            #expect(summary["runs"] as? Int == 2, "\(out)")
            let tags = Set(summary["tag_names"] as? [String] ?? [])
            for tag in ["train/recon", "valid/recon", "valid/recon_smth", "train/kl_ic", "train/kl_co", "train/l2", "train/lr",
                        "train/grad_norm", "train/grad_norm_max", "pbt/valid_recon_smth"] + h.config.searchSpace.map({ "hp/" + $0.name }) {
                #expect(tags.contains(tag), "missing TensorBoard tag \(tag) in \(tags.sorted())")
            }
        }

        // README.txt describes every entry of the run directory and of its folders.
        let readme = try String(contentsOfFile: runDir + "/README.txt", encoding: .utf8)
        let patterns = Self.readmePatterns(readme)
        var checked = 0
        for folder in Self.folders(runDir) {
            for name in try FileManager.default.contentsOfDirectory(atPath: runDir + "/" + folder).filter({ !AtomicFile.isTemporary($0) }) {
                var isDir: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: runDir + "/" + folder + name, isDirectory: &isDir)
                let entry = name + (isDir.boolValue ? "/" : "")
                #expect(patterns.contains { $0.matches(entry) }, "README.txt does not describe \(folder)\(entry)")
                checked += 1
            }
        }
        #expect(checked > 15 && readme.contains("best/lfads_output_lorenz_small.h5"), "\(readme)")

        // The report's snippet names the real output file and keys, and runs as written.
        let html = try String(contentsOfFile: runDir + "/report.html", encoding: .utf8)
        let output = runDir + "/best/lfads_output_lorenz_small.h5"
        let snippet = try #require(Self.block(html, id: "load-python"))
        let matlab = try #require(Self.block(html, id: "load-matlab"))
        #expect(snippet.contains("h5py.File(\"\(output)\"") && snippet.contains("f[\"valid_output_params\"]"), "\(snippet)")
        #expect(matlab.contains("file = '\(output)';") && matlab.contains("h5read(file, '/valid_output_params')"), "\(matlab)")
        let check = snippet + "\nassert rates.ndim == 3 and rates.shape[0] > 0\nprint('loaded', rates.shape)\n"
        if let out = try await Self.runPython(["-c", check], dir: h.dir, what: "the report's h5py snippet") {
            #expect(out.contains("loaded ("), "\(out)")
        }
    }

    @Test func trainWritesTensorBoardFilesEqualToItsLog() async throws {
        let dir = TestSupport.tempDir("train-tb")
        let binary = try TestSupport.autolfadsBinary()
        let keys = ["gen_dim=16", "fac_dim=4", "ic_enc_dim=8", "ci_enc_dim=4", "con_dim=4", "co_dim=1", "ic_dim=8", "batch_size=128", "sv_rate=0.1"]
        func train(_ out: String, _ extra: [String]) async throws -> ChildExit {
            let p = try ChildProcess(executable: binary, arguments: ["train", "--data", Self.data, "--out", out, "--no-outputs"] + extra + keys,
                                     environment: ProcessInfo.processInfo.environment, logPath: out + ".log")
            let deadline = Date().addingTimeInterval(240)
            while p.exit == nil && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
            return p.exit == nil ? await p.terminate(grace: 2) : await p.wait()
        }
        #expect(try await train(dir + "/on", ["--epochs", "3"]) == .exited(0))
        #expect(try await train(dir + "/on", ["--epochs", "2", "--resume"]) == .exited(0))   // a second file, later epochs
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/on").filter { $0.hasPrefix("events.out.tfevents.") }
        #expect(files.count == 2, "\(files)")
        let script = Self.here.appendingPathComponent("tb_check.py").path
        if let out = try await Self.runPython([script, "train", dir + "/on"], dir: dir, what: "tb_check.py train") {
            let summary = try Self.json(out)
            #expect(summary["points"] as? Int == 5 * 12, "every epoch, every numeric column (valid_recon_sv included): \(out)")
        }
        #expect(try await train(dir + "/off", ["--epochs", "1", "--no-tensorboard"]) == .exited(0))
        let off = try FileManager.default.contentsOfDirectory(atPath: dir + "/off")
        #expect(off.contains("train_log.csv") && !off.contains { $0.contains("tfevents") }, "\(off)")
    }

    /// Toy-objective runs: the same layout with `train/score`; `logging: {tensorboard: false}` writes none.
    @Test func toyRunEventFilesAndTheOffSwitch() async throws {
        for on in [true, false] {
            let h = try ClusterHarness(label: on ? "tb-toy" : "tb-off", yaml: """
                population: 3
                max_generations: 2
                logging: {tensorboard: \(on)}
                """)
            defer { Task { await h.stopAll() } }
            let p = try h.start(["run", "--config", h.configPath, "--no-dashboard", "--slots", "2"], log: "run.log")
            #expect(await h.exit(of: p, timeout: 120) == .exited(0), "\(h.logs())")
            let workers = h.config.runDirectory + "/workers"
            let files = (FileManager.default.enumerator(atPath: workers)?.allObjects as? [String] ?? []).filter { $0.contains("tfevents") }
            #expect(files.count == (on ? 6 : 0), "\(files)")
            if on, let out = try await Self.runPython([Self.here.appendingPathComponent("tb_check.py").path, "run", h.config.runDirectory, "score"],
                                                      dir: h.dir, what: "tb_check.py run (toy)") {
                let summary = try Self.json(out)
                #expect(summary["runs"] as? Int == 3 && (summary["tag_names"] as? [String])?.contains("pbt/score") == true, "\(out)")
            }
        }
    }

    @Test func loggingKeyOfRunYAML() throws {
        #expect(try RunConfig.parse(yaml: "objective: toy").tensorBoard)
        #expect(try RunConfig.parse(yaml: "objective: toy\nlogging: {tensorboard: false}").tensorBoard == false)
        #expect(try RunConfig.parse(yaml: "objective: toy\nlogging: {tensorboard: true}").tensorBoard)
        #expect(throws: ConfigError.self) { try RunConfig.parse(yaml: "objective: toy\nlogging: {tensorbord: false}") }
        do { _ = try RunConfig.parse(yaml: "objective: toy\nlogging: {tensorbord: false}") } catch let e as ConfigError {
            #expect(e.message.contains("logging.tensorbord") && e.message.contains("tensorboard"), "\(e.message)")
        }
    }

    /// The folders whose entries README.txt must describe ("" = the run directory).
    static func folders(_ runDir: String) -> [String] {
        var out = ["", "best/"]
        for w in ((try? FileManager.default.contentsOfDirectory(atPath: runDir + "/workers")) ?? []).sorted() {
            out.append("workers/\(w)/")
            for g in ((try? FileManager.default.contentsOfDirectory(atPath: runDir + "/workers/\(w)")) ?? []).sorted() where g.hasPrefix("g") {
                out.append("workers/\(w)/\(g)/")
            }
        }
        return out
    }

    /// One name pattern per described README line (`  name  description`), `<…>` = any characters but '/'.
    static func readmePatterns(_ text: String) -> [NSRegularExpression] {
        text.split(separator: "\n").compactMap { line -> NSRegularExpression? in
            guard line.hasPrefix("  "), let name = line.split(separator: " ").first else { return nil }
            var pattern = "^"
            var inPlaceholder = false
            for ch in name {
                if ch == "<" { inPlaceholder = true; pattern += "[^/]+" }
                else if ch == ">" { inPlaceholder = false }
                else if !inPlaceholder { pattern += NSRegularExpression.escapedPattern(for: String(ch)) }
            }
            return try? NSRegularExpression(pattern: pattern + "$")
        }
    }

    /// The text of `<pre id="ID"><code>…</code></pre>`, HTML entities decoded.
    static func block(_ html: String, id: String) -> String? {
        guard let start = html.range(of: "<pre id=\"\(id)\"><code>"),
              let end = html.range(of: "</code></pre>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }
}

extension NSRegularExpression {
    func matches(_ s: String) -> Bool { firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }
}
