import Foundation

/// Paths of this program and of the programs built beside it (`autolfads`, `autolfads-bench`).
public enum ExecutablePath {
    /// The running program's own executable, symlinks resolved (to start `autolfads worker`, `client`, …).
    public static var current: String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        let p = CommandLine.arguments[0]
        return p.hasPrefix("/") ? p : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(p)
    }

    /// The executable `name` in the running program's folder (swift build puts every product of the package there).
    public static func sibling(_ name: String) -> String {
        ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
    }
}
