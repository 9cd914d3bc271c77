import Testing
@testable import Coordination

@Test func CoordinationModuleLinks() {
    #expect(String(describing: CoordinationModule.self) == "CoordinationModule")
}
