import Testing
@testable import Engine

@Test func EngineModuleLinks() {
    #expect(String(describing: EngineModule.self) == "EngineModule")
}
