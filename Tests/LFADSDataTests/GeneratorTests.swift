import Foundation
import Testing
import LFADSMetrics
@testable import LFADSData

private func smallLorenz(seed: UInt64) -> LorenzConfig {
    var c = LorenzConfig()
    c.seed = seed; c.conditions = 4; c.trialsPerCondition = 5; c.bins = 30; c.neurons = 12
    return c
}

@Test func lorenzDefaultRecipeSanity() throws {
    let d = try LorenzGenerator.generate(LorenzConfig())
    #expect(d.trialCount(.train) == 640 && d.trialCount(.valid) == 160)
    #expect(d.encodTime == 100 && d.encodNeurons == 60 && d.latentDim == 3)
    #expect(Set(d.train!.inds! + d.valid!.inds!) == Set(0..<800))
    #expect(d.conversionFactor == 100)
    // Latents z-scored per dim over the whole dataset.
    var all = d.train!.latents!.values + d.valid!.latents!.values
    for dim in 0..<3 {
        let col = stride(from: dim, to: all.count, by: 3).map { Double(all[$0]) }
        let mean = col.reduce(0, +) / Double(col.count)
        let sd = (col.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(col.count)).squareRoot()
        #expect(abs(mean) < 1e-4 && abs(sd - 1) < 1e-4, "dim \(dim): mean \(mean) sd \(sd)")
    }
    all = []
    // Mean count per bin near the recipe's ≈ 0.0183, and close to the mean true rate.
    let counts = d.train!.encod.values + d.valid!.encod.values
    let meanCount = Double(counts.reduce(0, +)) / Double(counts.count)
    let truth = d.train!.truth!.values + d.valid!.truth!.values
    let meanTruth = truth.map(Double.init).reduce(0, +) / Double(truth.count)
    #expect(meanCount > 0.008 && meanCount < 0.04, "mean count \(meanCount)")
    #expect(abs(meanCount / meanTruth - 1) < 0.05)
    #expect(LFADSValidator.problems(in: d, path: "mem").isEmpty)
    // The true rates beat the per-neuron-mean null on valid.
    let bps = try PoissonMetrics.bitsPerSpike(counts: d.valid!.encod.values, rates: d.valid!.truth!.values, neurons: 60)
    #expect(bps > 0.1)
}

@Test func lorenzTrialsOfAConditionShareTheirLatentPath() throws {
    let d = try LorenzGenerator.generate(smallLorenz(seed: 3))
    // Trials of one condition share the latent path; different conditions differ.
    let lat = d.train!.latents!, inds = d.train!.inds!
    let byCond = Dictionary(grouping: inds.indices, by: { inds[$0] / 5 })
    let first = byCond.values.first { $0.count >= 2 }!
    #expect(lat.selecting(trials: [first[0]]) == lat.selecting(trials: [first[1]]))
    let conds = byCond.keys.sorted()
    #expect(lat.selecting(trials: [byCond[conds[0]]![0]]) != lat.selecting(trials: [byCond[conds[1]]![0]]))
}

@Test func sameSeedGivesIdenticalBytesAndOtherSeedDiffers() throws {
    let dir = try makeTempDir()
    for (name, gen) in [("lorenz", { (s: UInt64) in try LorenzGenerator.generate(smallLorenz(seed: s)) }),
                        ("rnn", { (s: UInt64) in
                            var c = ChaoticRNNConfig(); c.seed = s; c.conditions = 3; c.trialsPerCondition = 5; c.neurons = 8; c.bins = 20
                            return try ChaoticRNNGenerator.generate(c) })] {
        let a = dir + "/\(name)_a.h5", b = dir + "/\(name)_b.h5", c = dir + "/\(name)_c.h5"
        try LFADSWriter.write(try gen(11), to: a)
        Thread.sleep(forTimeInterval: 1.1)            // any embedded timestamp would now differ
        try LFADSWriter.write(try gen(11), to: b)
        try LFADSWriter.write(try gen(12), to: c)
        let bytesA = try Data(contentsOf: URL(fileURLWithPath: a))
        #expect(bytesA == (try Data(contentsOf: URL(fileURLWithPath: b))), "\(name): same seed must give identical bytes")
        let da = try LFADSReader.read(a), dc = try LFADSReader.read(c)
        #expect(da.train!.encod != dc.train!.encod && da.valid!.truth != dc.valid!.truth, "\(name): other seed must differ")
    }
}

@Test func chaoticRNNRecipeSanity() throws {
    var c = ChaoticRNNConfig()
    c.conditions = 6; c.trialsPerCondition = 10; c.neurons = 20; c.bins = 40
    let path = try makeTempDir() + "/rnn.h5"
    try LFADSWriter.write(try ChaoticRNNGenerator.generate(c), to: path)
    let d = try LFADSReader.read(path)
    #expect(d.countsDType == .int32)
    #expect(d.trialCount(.train) == 48 && d.trialCount(.valid) == 12)       // replicates 8, 9 → valid
    #expect(d.valid!.inds!.allSatisfy { $0 % 10 >= 8 })
    #expect(abs(d.conversionFactor! - 1 / 0.3) < 1e-12)
    // File truth is min–max normalised per trial and unit: each (trial, unit) spans [0, 1].
    let file = try HDF5File(path: path)
    let (truth, shape) = try file.readFloats("train_truth")
    for trial in [0, 17, 47] {
        for unit in [0, 19] {
            let series = (0..<shape[1]).map { truth[(trial * shape[1] + $0) * shape[2] + unit] }
            #expect(abs(series.min()!) < 1e-6 && abs(series.max()! - 1) < 1e-5)
        }
    }
    // One input pulse per trial, inside [T/4, 3T/4).
    let (pulses, pShape) = try file.readFloats("input_train")
    #expect(pShape == [48, 40, 1])
    for trial in 0..<48 {
        let times = (0..<40).filter { pulses[trial * 40 + $0] == 1 }
        #expect(times.count == 1 && times[0] >= 10 && times[0] < 30)
    }
    #expect(try file.readInts("condition_labels_valid").values == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    // Counts follow the rates: mean count ≈ mean rate (counts/bin ≤ 0.3).
    let counts = d.train!.encod.values, rates = d.train!.truth!.values
    let meanCount = Double(counts.reduce(0, +)) / Double(counts.count)
    let meanRate = rates.map(Double.init).reduce(0, +) / Double(rates.count)
    #expect(rates.max()! <= 0.3001 && abs(meanCount / meanRate - 1) < 0.1)
}

@Test func generatorsRejectBadConfigs() {
    var c = LorenzConfig(); c.neurons = 0
    #expect(throws: DataFileError.self) { try LorenzGenerator.generate(c) }
    var r = ChaoticRNNConfig(); r.trialsPerCondition = 1
    #expect(throws: DataFileError.self) { try ChaoticRNNGenerator.generate(r) }
}

@Test func committedLorenzFileMatchesTheGenerator() throws {
    // data/lorenz_small.h5 = `autolfads data synth lorenz --trials 200 --conditions 5 --seed 0`.
    let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../data/lorenz_small.h5").standardizedFileURL.path
    var c = LorenzConfig()
    c.conditions = 5; c.trialsPerCondition = 40
    let fresh = try makeTempDir() + "/fresh.h5"
    try LFADSWriter.write(try LorenzGenerator.generate(c), to: fresh)
    #expect(try Data(contentsOf: URL(fileURLWithPath: fresh)) == Data(contentsOf: URL(fileURLWithPath: committed)),
            "regenerate data/lorenz_small.h5 with the command above if the generator changed on purpose")
    #expect(try LFADSReader.read(committed).trialCount(.valid) == 40)
}
