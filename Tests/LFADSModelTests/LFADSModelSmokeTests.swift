import Testing
@testable import LFADSModel

@Test func LFADSModelModuleLinks() {
    #expect(String(describing: LFADSModelModule.self) == "LFADSModelModule")
}
