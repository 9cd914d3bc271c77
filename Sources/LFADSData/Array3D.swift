/// A dense 3-D Float array (trials × time × channels), row-major: element (b, t, n) is at
/// `values[(b * time + t) * channels + n]`.
public struct Array3D: Equatable, Sendable {
    public let trials: Int
    public let time: Int
    public let channels: Int
    public var values: [Float]

    /// Wraps `values`; the count must equal trials·time·channels (checked with a precondition).
    public init(trials: Int, time: Int, channels: Int, values: [Float]) {
        precondition(values.count == trials * time * channels, "Array3D: value count does not match shape")
        self.trials = trials; self.time = time; self.channels = channels; self.values = values
    }

    /// A zero-filled array.
    public init(trials: Int, time: Int, channels: Int) {
        self.init(trials: trials, time: time, channels: channels,
                  values: [Float](repeating: 0, count: trials * time * channels))
    }

    public var shape: [Int] { [trials, time, channels] }

    public subscript(b: Int, t: Int, n: Int) -> Float {
        get { values[(b * time + t) * channels + n] }
        set { values[(b * time + t) * channels + n] = newValue }
    }

    /// The trials at `indices`, in that order.
    public func selecting(trials indices: [Int]) -> Array3D {
        let stride = time * channels
        var out = [Float]()
        out.reserveCapacity(indices.count * stride)
        for i in indices { out.append(contentsOf: values[(i * stride)..<((i + 1) * stride)]) }
        return Array3D(trials: indices.count, time: time, channels: channels, values: out)
    }

    /// Elementwise map.
    public func map(_ f: (Float) -> Float) -> Array3D {
        Array3D(trials: trials, time: time, channels: channels, values: values.map(f))
    }
}
