import Testing
@testable import LFADSMetrics

@Test func pooledAndPerNeuronR2MatchHandComputation() throws {
    // targets rows (1,2),(3,4); predictions (1,2),(3,5)
    let t: [Float] = [1, 2, 3, 4], p: [Float] = [1, 2, 3, 5]
    // pooled: SS_res 1, SS_tot 5 → 0.8
    #expect(abs(try RSquared.pooled(predicted: p, target: t) - 0.8) < 1e-12)
    // neuron 0 perfect; neuron 1: SS_res 1, SS_tot 2 → 0.5
    let per = try RSquared.perNeuron(predicted: p, target: t, neurons: 2)
    #expect(abs(per[0] - 1) < 1e-12 && abs(per[1] - 0.5) < 1e-12)
    #expect(abs(try RSquared.meanOverNeurons(predicted: p, target: t, neurons: 2) - 0.75) < 1e-12)
}

@Test func varianceWeightedR2MatchesHandComputation() throws {
    // rows (1,10),(3,30); predictions (1,12),(3,30): neuron 0 SS_res 0 / SS_tot 2, neuron 1 4 / 200.
    // Variance weighted 1 − 4/202 (scikit-learn r2_score(..., multioutput="variance_weighted") gives the same);
    // the mean over neurons is (1 + 0.98)/2 = 0.99 and the grand-mean pooled R² 1 − 4/(Σ(t − 11)²) differs from both.
    let t: [Float] = [1, 10, 3, 30], p: [Float] = [1, 12, 3, 30]
    #expect(abs(try RSquared.varianceWeighted(predicted: p, target: t, neurons: 2) - (1 - 4.0 / 202)) < 1e-12)
    #expect(abs(try RSquared.meanOverNeurons(predicted: p, target: t, neurons: 2) - 0.99) < 1e-12)
    #expect(abs(try RSquared.pooled(predicted: p, target: t) - (1 - 4.0 / 526)) < 1e-12)
    // NaN pairs are left out; a neuron whose target is constant (neuron 2, and neuron 3 with one observed
    // pair) has no weight, its residuals included, as in scikit-learn.
    let tn: [Float] = [1, 10, 5, .nan, 3, 30, 5, 7], pn: [Float] = [1, 12, 6, 1, 3, 30, 4, 2]
    #expect(abs(try RSquared.varianceWeighted(predicted: pn, target: tn, neurons: 4) - (1 - 4.0 / 202)) < 1e-12)
    #expect(throws: MetricsError.self) { try RSquared.varianceWeighted(predicted: [1, 2], target: [3, 3], neurons: 1) }
}

@Test func r2RejectsDegenerateInput() {
    #expect(throws: MetricsError.self) { try RSquared.pooled(predicted: [1, 2], target: [3, 3]) }
    #expect(throws: MetricsError.self) { try RSquared.pooled(predicted: [1], target: [3, 3]) }
}

@Test func affineFitMatchesHandComputation() throws {
    // dim 0: y = 2x + 1 (exact); dim 1: y = (0,1,0,1) → slope 0.2, R² = cov²/(var x var y) = 1/5
    let x: [Float] = [0, 1, 2, 3]
    let y: [Float] = [1, 0, 3, 1, 5, 0, 7, 1]
    let fit = try AffineFit.fit(inputs: x, inputDim: 1, targets: y, outputDim: 2)
    #expect(abs(fit.r2PerDim[0] - 1) < 1e-9)
    #expect(abs(fit.r2PerDim[1] - 0.2) < 1e-9)
    #expect(abs(fit.r2Mean - 0.6) < 1e-9)
    // variance weighted: 1 − (0 + 0.8)/(20 + 1)
    #expect(abs(fit.r2VarianceWeighted - (1 - 0.8 / 21)) < 1e-9)
    #expect(abs(fit.weights[0] - 2) < 1e-6 && abs(fit.weights[2] - 1) < 1e-6)   // slope, intercept of dim 0
    #expect(abs(fit.weights[1] - 0.2) < 1e-6 && abs(fit.weights[3] - 0.2) < 1e-6) // dim 1: 0.5 − 0.2·1.5
}

@Test func affineFitRecoversRotatedLatents() throws {
    // Factors are an invertible affine map of 2-D latents → R² = 1 for every latent dim.
    var f: [Float] = [], z: [Float] = []
    for i in 0..<50 {
        let a = Float(i % 7) - 3, b = Float((i * 3) % 11) - 5
        z += [a, b]
        f += [0.5 * a - b + 2, a + 0.25 * b - 1, 3]
    }
    let fit = try AffineFit.fit(inputs: f, inputDim: 3, targets: z, outputDim: 2)
    #expect(fit.r2PerDim.allSatisfy { abs($0 - 1) < 1e-6 })
    #expect(throws: MetricsError.self) { try AffineFit.fit(inputs: [1, 2], inputDim: 1, targets: [1], outputDim: 1) }
}
