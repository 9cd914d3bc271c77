import Engine
import Foundation
import LFADSData
@testable import LFADSModel

/// Small in-memory datasets for model tests.
enum Fixtures {
    /// lfads-torch layout with forward steps, held-out neurons and external inputs.
    static func tinyDataset(trials: Int = 12, tEnc: Int = 6, tRec: Int = 8, nEnc: Int = 5, nRec: Int = 7,
                            ext: Int = 2, seed: UInt64 = 1, continuous: Bool = false,
                            missingFraction: Double = 0) -> LFADSDataset {
        var rng = Rng(seed: seed)
        func split(_ n: Int) -> LFADSSplit {
            var recon = Array3D(trials: n, time: tRec, channels: nRec)
            for b in 0..<n {
                for t in 0..<tRec {
                    for k in 0..<nRec {
                        let rate = 1.0 + 0.8 * sin(Double(t) * 0.7 + Double(k) + Double(b % 3))
                        var count = 0, p = exp(-rate), s = p
                        let u = Double(rng.uniform())
                        while u > s && count < 20 { count += 1; p *= rate / Double(count); s += p }
                        recon.values[(b * tRec + t) * nRec + k] = Float(count)
                    }
                }
            }
            if continuous { for i in recon.values.indices { recon.values[i] = recon.values[i] * 0.7 + 0.3 + 0.1 * Float(i % 5) } }
            if missingFraction > 0 { for i in recon.values.indices where Double(rng.uniform()) < missingFraction { recon.values[i] = .nan } }
            var encod = Array3D(trials: n, time: tEnc, channels: nEnc)
            for b in 0..<n { for t in 0..<tEnc { for k in 0..<nEnc { encod.values[(b * tEnc + t) * nEnc + k] = recon.values[(b * tRec + t) * nRec + k] } } }
            let extIn = ext > 0 ? Array3D(trials: n, time: tRec, channels: ext, values: (0..<(n * tRec * ext)).map { _ in Float(rng.normal()) }) : nil
            return LFADSSplit(encod: encod, recon: recon, extInput: extIn)
        }
        return LFADSDataset(convention: .lfadsTorch, splits: [.train: split(trials), .valid: split(trials / 2)])
    }

    /// A Lorenz dataset sized for fast tests (rates raised so few trials carry signal).
    static func lorenz(conditions: Int = 5, trialsPerCondition: Int = 8, bins: Int = 20, neurons: Int = 12,
                       logRateBias: Double = 2.5) throws -> LFADSDataset {
        var c = LorenzConfig()
        c.conditions = conditions; c.trialsPerCondition = trialsPerCondition; c.bins = bins; c.neurons = neurons
        c.logRateBias = logRateBias
        return try LorenzGenerator.generate(c)
    }

    /// A tiny model config with every part on.
    static func tinyConfig() -> LFADSConfig {
        var c = LFADSConfig()
        c.icEncDim = 4; c.ciEncDim = 3; c.conDim = 3; c.coDim = 2; c.icDim = 3; c.genDim = 5; c.facDim = 3
        c.batchSize = 6; c.dropoutRate = 0.1; c.cdRate = 0.3; c.lossScale = 1
        c.klIcScale = 0.3; c.klCoScale = 0.3; c.l2IcEncScale = 0.2; c.l2CiEncScale = 0.2; c.l2GenScale = 0.5; c.l2ConScale = 0.5
        c.klIncreaseEpoch = 0; c.l2IncreaseEpoch = 0; c.posteriorSamples = 3
        return c
    }

    static func tempDir() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lfads-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

extension Array where Element == Tensor {
    /// The tensors side by side (all have the same rows).
    func concatenated(on tape: Tape) -> Tensor { dropFirst().reduce(self[0]) { tape.concatCols($0, $1) } }
}
