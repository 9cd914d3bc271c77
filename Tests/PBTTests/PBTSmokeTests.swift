import Testing
@testable import PBT

@Test func PBTModuleLinks() {
    #expect(String(describing: PBTModule.self) == "PBTModule")
}
