/// A metric could not be computed from its inputs (shape mismatch, empty input, …).
public struct MetricsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// One-line explanation naming the argument and the fix.
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw MetricsError(message()) }
}
