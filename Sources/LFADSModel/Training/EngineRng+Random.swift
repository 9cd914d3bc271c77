import Engine

/// Lets the Engine's seeded generator drive Swift's random APIs (shuffles, ranges) and the
/// generic mask/jitter/batching helpers, so one serialisable RNG state covers all of them.
extension Rng: RandomNumberGenerator {}
