import Foundation
import Testing
import LFADSMetrics
@testable import LFADSData

@Test func summaryReportsShapesDtypesStatsAndOracle() throws {
    let path = try makeTempDir() + "/s.h5"
    var c = LorenzConfig()
    c.conditions = 2; c.trialsPerCondition = 10; c.bins = 20; c.neurons = 8
    let d = try LorenzGenerator.generate(c)
    try LFADSWriter.write(d, to: path)
    let s = try DatasetSummary(path: path)
    #expect(s.isValid)
    #expect(s.lines.contains("convention: original"))
    #expect(s.lines.contains("  train_data float32 [16, 20, 8]"))
    #expect(s.lines.contains("  valid_truth float32 [4, 20, 8]"))
    // The oracle figure is the metrics module's bits/spike of the stored truth on valid.
    let back = try LFADSReader.read(path)
    let expected = try PoissonMetrics.bitsPerSpike(counts: back.valid!.encod.values, rates: back.valid!.truth!.values, neurons: 8)
    #expect(s.oracleValidBitsPerSpike == expected)
    // Count statistics: mean, max and fraction of zeros of the valid counts.
    let v = back.valid!.encod.values
    let stats = CountStats(back.valid!.encod)
    #expect(abs(stats.mean - Double(v.reduce(0, +)) / Double(v.count)) < 1e-12)
    #expect(stats.max == Double(v.max()!))
    #expect(stats.fractionZero == Double(v.filter { $0 == 0 }.count) / Double(v.count))
}
