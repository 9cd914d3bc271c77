import Foundation
import ArgumentParser
import LFADSData
import FileSystem

/// `autolfads evaluate RUN_DIR | lfads_output_X.h5`: the NLB'21 metrics of a model's rates.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "NLB metrics (co-bps, fp-bps, vel R², PSTH R², truth R²) of a run's best model or an output file.",
        discussion: """
        Scores the valid split (the NLB "eval" trials) of lfads_output_<stem>.h5, or the test split when it
        carries reconstruction targets (test_recon_data: trials that training and model selection never
        read, as in `bench autolfads-vs-single`; --split chooses); the velocity decoder is fitted on the train split. A run directory means its best/lfads_output_*.h5 (a train --out folder, its own). Writes
        evaluation.json next to each output file. --baseline smoothing adds the NLB smoothing baseline
        (Gaussian-smoothed held-in spikes → Poisson GLM per held-out neuron) computed from the data alone.
        """)

    @Argument(help: "A run directory (<storage>/runs/<name>), an `autolfads train --out` folder, or an lfads_output_*.h5 file.")
    var target: String

    @Option(help: "The data file, when the output file does not contain the data keys.")
    var data: String?

    @Flag(help: "Print JSON instead of the table.")
    var json = false

    @Option(help: "Also score a baseline computed from the data: smoothing.")
    var baseline: Baseline?

    @Option(name: .customLong("smoothing-kernel-ms"), help: "Smoothing baseline: Gaussian kernel SD in ms.")
    var kernelMs: Double = 50

    @Option(name: .customLong("smoothing-alpha"), help: "Smoothing baseline: L2 penalty of the Poisson GLM.")
    var alpha: Double = 0.01

    @Option(name: .customLong("truth-scale"), help: "Divide the file's truth by this to get counts per bin (default: conversion_factor, else detected).")
    var truthScale: Double?

    @Option(help: "Split to score: auto (test when it has reconstruction targets, else valid), valid, test.")
    var split: NLBEvaluation.SplitChoice = .auto

    enum Baseline: String, ExpressibleByArgument { case smoothing }

    func run() throws {
        let files = try outputFiles()
        var smoothing: NLBEvaluation.SmoothingOptions?
        if baseline == .smoothing {
            guard kernelMs > 0, kernelMs.isFinite, alpha >= 0, alpha.isFinite else {
                throw DataCommandError("--smoothing-kernel-ms must be positive and --smoothing-alpha 0 or more")
            }
            var o = NLBEvaluation.SmoothingOptions()
            o.kernelSDms = kernelMs; o.alpha = alpha
            smoothing = o
        }
        var results: [NLBEvaluation] = []
        for file in files {
            let e = try NLBEvaluation.evaluate(outputPath: file, dataPath: data, truthScale: truthScale, smoothing: smoothing, split: split)
            let dir = (file as NSString).deletingLastPathComponent
            let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            let name = files.count == 1 ? "evaluation.json" : "evaluation_\(stem.replacingOccurrences(of: "lfads_output_", with: "")).json"
            try AtomicFile.write(try Self.encoder.encode(e), to: (dir as NSString).appendingPathComponent(name), createDirectories: false)
            results.append(e)
        }
        if json {
            let payload: Data = results.count == 1 ? try Self.encoder.encode(results[0]) : try Self.encoder.encode(results)
            print(String(decoding: payload, as: UTF8.self))
        } else {
            for e in results { NLBTable.lines(e).forEach { print($0) } }
        }
    }

    static var encoder: JSONEncoder { NLBEvaluation.jsonEncoder }

    func outputFiles() throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDir) else {
            throw DataCommandError("\(target): not found; pass a run directory (<storage>/runs/<name>) or an lfads_output_*.h5 file")
        }
        guard isDir.boolValue else { return [target] }
        // A run directory keeps the best model in best/; an `autolfads train --out` folder holds it directly.
        for dir in [(target as NSString).appendingPathComponent("best"), target] {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
                .filter { $0.hasPrefix("lfads_output_") && $0.hasSuffix(".h5") }.sorted()
            if !names.isEmpty { return names.map { (dir as NSString).appendingPathComponent($0) } }
        }
        throw DataCommandError("\(target): no lfads_output_*.h5 in best/ or in the folder (the run has not written its best model yet; run it to the end, or pass an output file)")
    }
}

/// The table `autolfads evaluate` prints (and the report shows).
enum NLBTable {
    static func lines(_ e: NLBEvaluation) -> [String] {
        var out = ["\(e.file): \(e.split) split, \(e.trials) trials, \(e.heldInNeurons) held-in + \(e.heldOutNeurons) held-out neurons, \(e.windowBins) + \(e.forwardBins) forward bins, \(e.observationModel) observations"]
        let columns = [("model", e.model), ("smoothing", e.smoothing), ("truth", e.oracle)].compactMap { c in c.1.map { (c.0, $0) } }
        out.append("  metric                " + columns.map { "  " + String(repeating: " ", count: max(0, 9 - $0.0.count)) + $0.0 }.joined())
        for (name, key) in NLBScores.rows {
            let values = columns.map { $0.1[keyPath: key] }
            if values.allSatisfy({ $0 == nil }) { continue }
            out.append("  " + name.padding(toLength: 22, withPad: " ", startingAt: 0) + values.map { "  " + cell($0) }.joined())
        }
        if e.oracle != nil { out.append("  (truth: the ground-truth rates scored as a model, the ceiling)") }
        out += e.notes.map { "  note: \($0)" }
        return out
    }

    static func cell(_ x: Double?) -> String {
        guard let x else { return "        —" }
        return String(format: "%9.4f", x)
    }
}

extension NLBEvaluation.SplitChoice: ExpressibleByArgument {}
