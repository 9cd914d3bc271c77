import Foundation
import Testing
@testable import LFADSMetrics

@Test func poissonNLLMatchesHandComputation() throws {
    // Σ λ − y ln λ + ln y!: (0.5) + (1 − 0 + 0) + (2 − 2 ln 2 + ln 2) = 3.5 − ln 2
    let nll = try PoissonMetrics.negativeLogLikelihood(counts: [0, 1, 2], rates: [0.5, 1, 2])
    #expect(abs(nll - (3.5 - log(2.0))) < 1e-6)
    let fromLog = try PoissonMetrics.negativeLogLikelihood(counts: [0, 1, 2], logRates: [Float(log(0.5)), 0, Float(log(2.0))])
    #expect(abs(fromLog - nll) < 1e-6)
}

@Test func poissonNLLUsesExactLogGammaForNonIntegerCounts() throws {
    // y = 0.5, λ = 1: 1 − 0 + ln Γ(1.5) = 1 + ln(√π / 2)
    let nll = try PoissonMetrics.negativeLogLikelihood(counts: [0.5], rates: [1])
    #expect(abs(nll - (1 + log(Double.pi.squareRoot() / 2))) < 1e-7)
    #expect(abs(logGamma(11) - log(3628800.0)) < 1e-12)
}

@Test func poissonNLLSkipsMissingCounts() throws {
    let nll = try PoissonMetrics.negativeLogLikelihood(counts: [.nan, 1], rates: [5, 1])
    #expect(abs(nll - 1) < 1e-9)
}

@Test func bitsPerSpikeMatchesHandComputation() throws {
    // One neuron, counts (0, 2), model rates (0.5, 2), null rate = mean count = 1.
    // NLL_model = 2.5 − ln 2, NLL_null = 2 + ln 2 → bps = (2 ln 2 − 0.5) / (2 ln 2)
    let bps = try PoissonMetrics.bitsPerSpike(counts: [0, 2], rates: [0.5, 2], neurons: 1)
    #expect(abs(bps - (1 - 0.25 / log(2.0))) < 1e-6)
    // The null model itself scores exactly zero.
    let zero = try PoissonMetrics.bitsPerSpike(counts: [0, 2, 1, 3], rates: [0.5, 2.5, 0.5, 2.5], neurons: 2)
    #expect(abs(zero) < 1e-9)
    // An explicit null rate (e.g. training mean) changes the answer: null 2 → NLL_null = 4 − 2 ln 2 + ln 2.
    let ext = try PoissonMetrics.bitsPerSpike(counts: [0, 2], rates: [0.5, 2], neurons: 1, nullRates: [2])
    #expect(abs(ext - ((4 - log(2.0)) - (2.5 - log(2.0))) / (2 * log(2.0))) < 1e-6)
}

@Test func bitsPerSpikeRejectsBadInput() {
    #expect(throws: MetricsError.self) { try PoissonMetrics.bitsPerSpike(counts: [0, 0], rates: [1, 1], neurons: 1) }
    #expect(throws: MetricsError.self) { try PoissonMetrics.bitsPerSpike(counts: [0, 1], rates: [1], neurons: 1) }
    #expect(throws: MetricsError.self) { try PoissonMetrics.meanRatePerNeuron(counts: [0, 1, 2], neurons: 2) }
}
