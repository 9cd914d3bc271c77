import Testing
@testable import LFADSMetrics

@Test func LFADSMetricsModuleLinks() {
    #expect(String(describing: LFADSMetricsModule.self) == "LFADSMetricsModule")
}
