import Foundation
import Testing
@testable import LFADSData

/// Ground truth stored in Hz with no conversion_factor is detected and rescaled; nothing impossible is printed.
@Suite struct TruthScaleTests {
    /// counts ≈ truth·scale⁻¹ per neuron: truth in counts/bin times `hz` (1 = counts per bin).
    func arrays(ratioToCounts hz: Double) -> (truth: [Float], counts: [Float]) {
        var truth: [Float] = [], counts: [Float] = []
        for i in 0..<600 {
            let rate = 0.2 + 0.1 * Double(i % 3)       // counts per bin, neuron i % 3
            truth.append(Float(rate * hz))
            counts.append(Float((i / 3) % 5 == 0 ? rate * 5 : 0))   // mean count = rate
        }
        return (truth, counts)
    }

    @Test func countsPerBinHzAndUnknownAreTold() {
        let perBin = arrays(ratioToCounts: 1)
        #expect(TruthScale.detect(truth: perBin.truth, counts: perBin.counts, channels: 3).source == .countsPerBin)
        let hz = arrays(ratioToCounts: 100)   // 10 ms bins
        let s = TruthScale.detect(truth: hz.truth, counts: hz.counts, channels: 3)
        #expect(s.source == .hertz(binMilliseconds: 10) && s.factor == 100)
        #expect(s.description.contains("Hz") && s.description.contains("10 ms"), "\(s.description)")
        let odd = arrays(ratioToCounts: 7)
        let u = TruthScale.detect(truth: odd.truth, counts: odd.counts, channels: 3)
        #expect(u.source == .unknown && !u.isTrustworthy && u.factor == 1)
    }

    @Test func readerRescalesHzTruthAndInspectShowsAPossibleOracle() throws {
        // A Lorenz file whose truth is rewritten in Hz (10 ms bins) without conversion_factor.
        var c = LorenzConfig()
        c.conditions = 4; c.trialsPerCondition = 10; c.bins = 20; c.neurons = 10
        var d = try LorenzGenerator.generate(c)
        let perBin = d.valid!.truth!
        for (name, s) in d.splits { d.splits[name]!.truth = s.truth!.map { $0 * 100 } }
        d.conversionFactor = nil
        let path = try makeTempDir() + "/hz.h5"
        try LFADSWriter.write(d, to: path)

        let back = try LFADSReader.read(path)
        #expect(back.truthScale?.source == .hertz(binMilliseconds: 10))
        let restored = back.valid!.truth!
        #expect(zip(restored.values, perBin.values).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })

        let summary = try DatasetSummary(path: path)
        let text = summary.lines.joined(separator: "\n")
        #expect(text.contains("stored in Hz"), "\(text)")
        #expect((summary.oracleValidBitsPerSpike ?? -1) > 0, "\(text)")

        // Forcing the wrong scale: the oracle would be impossible, so it is not shown as a number.
        let forced = try DatasetSummary(path: path, options: LFADSReadOptions(truthScale: 1))
        #expect(forced.oracleValidBitsPerSpike == nil)
        #expect(forced.lines.contains { $0.contains("oracle bits/spike: not shown") }, "\(forced.lines)")
        #expect(throws: DataFileError.self) { _ = try LFADSReader.read(path, options: LFADSReadOptions(truthScale: -1)) }
    }
}
