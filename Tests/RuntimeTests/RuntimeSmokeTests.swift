import Testing
@testable import Runtime

@Test func RuntimeModuleLinks() {
    #expect(String(describing: RuntimeModule.self) == "RuntimeModule")
}
