import Foundation
import Testing

/// One process run under a wall-time limit and (through `/bin/sh -c ulimit -v`) an address-space
/// limit, with stdout and stderr sent to temporary files (no pipe to deadlock on).
public struct LimitedRun: CustomStringConvertible {
    public var status: Int32 = -1
    public var signalled = false
    public var timedOut = false
    public var stdout = "", stderr = ""
    public var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: true) }
    public var description: String { "exit \(status)\(signalled ? " (signal)" : "")\(timedOut ? " (timed out)" : ""), stderr: \(stderr.prefix(400))" }

    public init(_ executable: String, _ arguments: [String], seconds: Double = 30, addressSpaceKiB: Int? = 4 << 20) async throws {
        let tmp = NSTemporaryDirectory() + "limited-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: tmp + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: tmp + ".err", contents: nil)
        defer { try? FileManager.default.removeItem(atPath: tmp + ".out"); try? FileManager.default.removeItem(atPath: tmp + ".err") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        let limit = addressSpaceKiB.map { "ulimit -v \($0) && " } ?? ""
        p.arguments = ["-c", limit + "exec \"$0\" \"$@\"", executable] + arguments
        let out = FileHandle(forWritingAtPath: tmp + ".out"), err = FileHandle(forWritingAtPath: tmp + ".err")
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(seconds)
        // Polls with Task.sleep, so the test does not hold a thread of the shared pool meanwhile.
        while p.isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 5_000_000) }
        if p.isRunning { timedOut = true; kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        try? out?.close(); try? err?.close()
        status = p.terminationStatus
        signalled = p.terminationReason == .uncaughtSignal
        stdout = (try? String(contentsOfFile: tmp + ".out", encoding: .utf8)) ?? ""
        stderr = (try? String(contentsOfFile: tmp + ".err", encoding: .utf8)) ?? ""
    }

    /// Exit 1 or 2 by itself (no signal, no timeout) and exactly one stderr line containing every fragment.
    public func expectOneLineError(naming fragments: [String], case name: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!signalled && !timedOut && (status == 1 || status == 2), "\(name): \(self)", sourceLocation: sourceLocation)
        #expect(stderrLines.count == 1, "\(name): stderr is not one line: \(stderr.prefix(600))", sourceLocation: sourceLocation)
        for f in fragments {
            #expect(stderr.contains(f), "\(name): the error does not name '\(f)': \(stderr.prefix(400))", sourceLocation: sourceLocation)
        }
    }
}
