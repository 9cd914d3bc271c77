/// KL/L2 ramp weight for a 0-based epoch: `clamp((epoch + 1 − start)/(increase + 1), 0, 1)`.
public func rampWeight(epoch: Int, start: Int, increase: Int) -> Double {
    min(max(Double(epoch + 1 - start) / Double(increase + 1), 0), 1)
}

/// Exponentially smoothed metric `s_e = 0.3·s_{e−1} + 0.7·cur_e`; the first value is taken as is.
public struct SmoothedMetric: Codable, Equatable, Sendable {
    public private(set) var value: Double?
    public init(value: Double? = nil) { self.value = value }

    /// Folds in the current epoch's value and returns the new smoothed value.
    @discardableResult
    public mutating func update(_ current: Double) -> Double {
        let next = value.map { 0.3 * $0 + 0.7 * current } ?? current
        value = next
        return next
    }
}

/// ReduceLROnPlateau (mode min, threshold 0, no cooldown): after more than `patience` epochs without
/// a strictly lower metric, multiply the LR by `factor`, never below `minLR`. `factor == 1` = off.
public struct PlateauSchedule: Codable, Equatable, Sendable {
    public private(set) var lr: Double
    public let factor: Double
    public let patience: Int
    public let minLR: Double
    public private(set) var best = Double.infinity
    public private(set) var badEpochs = 0

    public init(lr: Double, factor: Double, patience: Int, minLR: Double) {
        self.lr = lr; self.factor = factor; self.patience = patience; self.minLR = minLR
    }

    /// Records an epoch's metric; returns true when the LR was reduced.
    @discardableResult
    public mutating func step(metric: Double) -> Bool {
        if factor >= 1 { return false }
        if metric < best { best = metric; badEpochs = 0; return false }
        badEpochs += 1
        guard badEpochs > patience else { return false }
        badEpochs = 0
        let next = max(lr * factor, minLR)
        defer { lr = next }
        return next < lr
    }

    /// True once decay is on and the LR has reached its floor (training should stop).
    public var exhausted: Bool { factor < 1 && lr <= minLR }
}

/// Early stopping and best-model selection on a metric to minimise. Only epochs from `burnInEpoch` on
/// (the first epoch at full KL/L2 weight) count: an epoch inside the ramps is trained with smaller penalties,
/// so its lower validation loss is not a better model. Stops after `patience` epochs past the best without a
/// strictly better value.
public struct EarlyStopping: Codable, Equatable, Sendable {
    public let patience: Int
    public let burnInEpoch: Int
    public private(set) var best = Double.infinity
    public private(set) var bestEpoch = -1
    public private(set) var waited = 0

    public init(patience: Int, burnInEpoch: Int) { self.patience = patience; self.burnInEpoch = burnInEpoch }

    /// Records the metric of 0-based `epoch`; returns true when training should stop.
    public mutating func update(epoch: Int, metric: Double) -> Bool {
        guard epoch >= burnInEpoch else { return false }
        // A best from inside the ramps (checkpoints written before this rule) does not count.
        if bestEpoch < burnInEpoch { best = .infinity; bestEpoch = -1; waited = 0 }
        if metric < best { best = metric; bestEpoch = epoch; waited = 0; return false }
        waited += 1
        return waited >= patience
    }

    /// True once an epoch past the burn-in has been recorded (there is a best model to select).
    public var hasBest: Bool { bestEpoch >= max(burnInEpoch, 0) }

    /// True when the last update produced a new best.
    public func isBest(epoch: Int) -> Bool { bestEpoch == epoch }
}
