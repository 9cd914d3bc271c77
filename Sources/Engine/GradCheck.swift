/// Finite-difference gradient checker for anything built on a `Tape`.
///
/// The checked function is `L(θ) = Σ_k w_k·out_k` (summed in Double) for a fixed random cotangent
/// w, where `out` is what `build` returns; analytic gradients come from `backward(out, seed: w)`.
/// Each checked parameter element is compared with a central difference. `build` gets a copy of
/// the same RNG on every call, so dropout masks and reparameterised samples are identical across
/// evaluations.
public enum GradCheck {
    /// Outcome of a check.
    public struct Result: CustomStringConvertible, Sendable {
        /// max over elements of |analytic − numeric| / (atol + rtol·max(|analytic|, |numeric|)); ≤ 1 passes.
        public var worstRatio: Double = 0
        /// Largest plain relative error |a−n|/max(|a|,|n|,1e-12) among elements with |n| above atol.
        public var maxRelativeError: Double = 0
        /// Description of the worst element.
        public var worst: String = ""
        /// Number of elements compared.
        public var checked = 0
        /// Number of elements whose ratio exceeded 1.
        public var failures = 0
        public var passed: Bool { failures == 0 && checked > 0 }
        public var description: String {
            "checked \(checked), failures \(failures), worst ratio \(worstRatio), max rel err \(maxRelativeError) at \(worst)"
        }
    }

    /// Checks the gradients of `params` (default: all trainable parameters of `store`).
    /// - Parameters:
    ///   - step: finite-difference step relative to max(1, |θ|).
    ///   - rtol, atolFraction: an element passes if |a−n| ≤ atol + rtol·max(|a|,|n|), with
    ///     atol = atolFraction·(largest |n| over the parameter) + 1e-6.
    ///   - maxPerParam: at most this many (randomly chosen) elements per parameter.
    public static func check(store: ParameterStore, params: [Param]? = nil, seed: UInt64 = 12345,
                             step: Float = 3e-3, rtol: Double = 2e-2, atolFraction: Double = 1e-3,
                             maxPerParam: Int = 64,
                             build: (Tape, inout Rng) -> Tensor) -> Result {
        let tape = Tape(store: store)
        let base = Rng(seed: seed, stream: 77)
        var pick = Rng(seed: seed, stream: 78)

        var rng = base
        let out = build(tape, &rng)
        var w = [Float](repeating: 0, count: out.count)
        w.withUnsafeMutableBufferPointer { pick.fillNormal($0.baseAddress!, count: $0.count) }
        w.withUnsafeBufferPointer { tape.backward(out, seed: $0.baseAddress!) }
        let analytic = Array(store.grads)

        func loss() -> Double {
            tape.reset()
            var r = base
            let o = build(tape, &r)
            let v = tape.value(o)
            var s = 0.0
            for i in 0..<v.count { s += Double(w[i]) * Double(v[i]) }
            return s
        }

        var result = Result()
        let targets = params ?? store.entries.indices.compactMap { i -> Param? in
            let e = store.entries[i]
            return e.trainable ? Param(index: i, rows: e.rows, cols: e.cols) : nil
        }
        for p in targets {
            let e = store.entry(p)
            var indices = Array(0..<e.count)
            if indices.count > maxPerParam {
                for i in 0..<maxPerParam { indices.swapAt(i, i + pick.int(below: indices.count - i)) }
                indices = Array(indices[0..<maxPerParam])
            }
            var numeric = [Double](repeating: 0, count: indices.count)
            for (k, idx) in indices.enumerated() {
                let at = e.offset + idx
                let theta = store.values[at]
                let h = step * max(1, abs(theta))
                store.values[at] = theta + h
                let hPlus = store.values[at] - theta
                let lp = loss()
                store.values[at] = theta - h
                let hMinus = theta - store.values[at]
                let lm = loss()
                store.values[at] = theta
                numeric[k] = (lp - lm) / Double(hPlus + hMinus)
            }
            let scale = numeric.map(abs).max() ?? 0
            let atol = atolFraction * scale + 1e-6
            for (k, idx) in indices.enumerated() {
                let a = Double(analytic[e.offset + idx]), n = numeric[k]
                let diff = abs(a - n)
                let ratio = diff / (atol + rtol * max(abs(a), abs(n)))
                result.checked += 1
                if ratio > 1 { result.failures += 1 }
                if ratio > result.worstRatio {
                    result.worstRatio = ratio
                    result.worst = "\(e.name)[\(idx)] analytic \(a) numeric \(n)"
                }
                if abs(n) > atol { result.maxRelativeError = max(result.maxRelativeError, diff / max(abs(a), abs(n), 1e-12)) }
            }
        }
        return result
    }
}
