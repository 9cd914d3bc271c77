import Foundation

/// Locates the `autolfads` executable that `swift build --build-tests` builds next to the test bundle.
public enum AutolfadsBinary {
    /// Its path; throws naming the places looked at and the command that builds it.
    public static func path(filePath: String = #filePath) throws -> String {
        var candidates: [String] = []
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {   // …/debug/AutoLFADSPackageTests.xctest[/Contents/MacOS/…]
            candidates.append(dir.appendingPathComponent("autolfads").path)
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(repositoryRoot.appendingPathComponent(".build/debug/autolfads").path)
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw TestProcess.Failure("the autolfads executable was not found next to the tests (looked in \(candidates.joined(separator: ", "))); build it first with `swift build --build-tests`")
    }

    /// The package's root directory (for bundled files such as `data/lorenz_small.h5`).
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
