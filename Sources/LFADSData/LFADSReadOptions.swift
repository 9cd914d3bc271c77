/// What the reader accepts.
public struct LFADSReadOptions: Sendable {
    /// Allow NaN in the count arrays (missing data), for observation models that mask it.
    /// Infinite values are always rejected.
    public var allowMissing: Bool
    /// Require counts to be non-negative integers (Poisson observation model).
    public var requireCounts: Bool
    /// Divide the file's truth by this to get counts per bin (nil: `conversion_factor`, else detected).
    public var truthScale: Double?

    public init(allowMissing: Bool = false, requireCounts: Bool = true, truthScale: Double? = nil) {
        self.allowMissing = allowMissing; self.requireCounts = requireCounts; self.truthScale = truthScale
    }
}
