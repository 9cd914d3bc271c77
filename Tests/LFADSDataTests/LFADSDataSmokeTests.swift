import Testing
@testable import LFADSData

@Test func LFADSDataModuleLinks() {
    #expect(String(describing: LFADSDataModule.self) == "LFADSDataModule")
}
