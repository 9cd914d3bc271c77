import Foundation
import Testing

/// One process run under a wall-time limit and (through `/bin/sh -c ulimit -v`) an address-space
/// limit, started with `TestProcess` (both outputs read as they are written).
public struct LimitedRun: CustomStringConvertible {
    public var status: Int32 = -1
    public var signalled = false
    public var timedOut = false
    public var stdout = "", stderr = ""
    public var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: true) }
    public var description: String { "exit \(status)\(signalled ? " (signal)" : "")\(timedOut ? " (timed out)" : ""), stderr: \(stderr.prefix(400))" }

    public init(_ executable: String, _ arguments: [String], seconds: Double = 30, addressSpaceKiB: Int? = 4 << 20) async throws {
        let limit = addressSpaceKiB.map { "ulimit -v \($0) && " } ?? ""
        let r = try await TestProcess.run("/bin/sh", ["-c", limit + "exec \"$0\" \"$@\"", executable] + arguments, seconds: seconds)
        status = r.signal.map { _ in r.status - 128 } ?? r.status
        signalled = r.signal != nil
        timedOut = r.timedOut
        stdout = r.stdout
        stderr = r.stderr
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
