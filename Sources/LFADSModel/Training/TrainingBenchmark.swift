import Engine
import Foundation

/// Measurements behind `autolfads bench train`: step time, throughput and model FLOPs.
public enum TrainingBenchmark {
    /// Matrix-multiply FLOPs of one training step (forward + backward ≈ 3× forward) for a
    /// resolved config and batch size.
    public static func flopsPerStep(_ c: LFADSConfig, batch b: Int) -> Double {
        func gru(_ i: Int, _ h: Int) -> Double { 2 * Double(b * 3 * h * (i + h)) }
        func lin(_ i: Int, _ o: Int) -> Double { 2 * Double(b * i * o) }
        let tRec = Double(c.reconSeqLen)
        let encIn = c.readinDim > 0 ? c.readinDim : c.encodDataDim
        var f = 2 * Double(c.icEncBins) * gru(encIn, c.icEncDim) + Double(c.encodSeqLen) * (c.readinDim > 0 ? lin(c.encodDataDim, c.readinDim) : 0)
            + lin(2 * c.icEncDim, 2 * c.icDim) + lin(c.icDim, c.genDim) + lin(c.genDim, c.facDim)
        if c.hasController {
            f += 2 * Double(c.encodSeqLen - c.icEncSeqLen) * gru(encIn, c.ciEncDim)
            f += tRec * (gru(2 * c.ciEncDim + c.facDim, c.conDim) + lin(c.conDim, 2 * c.coDim))
        }
        f += tRec * (gru((c.hasController ? c.coDim : 0) + c.extInputDim, c.genDim) + lin(c.genDim, c.facDim)
                     + lin(c.facDim, c.reconDataDim))
        return 3 * f
    }

    /// Seconds per training step on full batches (after `warmup` steps), measured for at
    /// least `minSeconds`.
    public static func secondsPerStep(_ trainer: Trainer, warmup: Int = 2, minSeconds: Double = 2) throws -> Double {
        let c = trainer.config
        let idx = Array(0..<min(c.batchSize, trainer.train.trials))
        let weights = LossWeights(rampL2: 1, rampKL: 1)
        for _ in 0..<warmup { try trainer.trainStep(trainer.train, trials: idx, weights: weights) }
        var steps = 0
        let start = now()
        var elapsed = 0.0
        repeat {
            try trainer.trainStep(trainer.train, trials: idx, weights: weights)
            steps += 1
            elapsed = now() - start
        } while elapsed < minSeconds
        return elapsed / Double(steps)
    }

    /// Seconds of a monotonic clock.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Peak resident set size of this process in MiB (getrusage).
    public static func peakRSSMiB() -> Double {
        var u = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_maxrss) / 1024
    }
}
