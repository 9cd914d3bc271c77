/// Adam / AdamW over a whole `ParameterStore` (PyTorch update rule). Frozen parameters
/// (`trainable == false`) are skipped. The learning rate may be changed at any time (PBT).
public final class Adam {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// Weight decay: decoupled (AdamW, θ ← θ − lr·wd·θ) when `decoupled`, else L2 added to the gradient.
    public var weightDecay: Float
    public var decoupled: Bool
    /// Number of updates taken.
    public private(set) var step: Int = 0
    /// First and second moment estimates (same layout as the store).
    public private(set) var m: [Float]
    public private(set) var v: [Float]

    /// Serialisable optimiser state (moments, step and hyperparameters).
    public struct State: Codable, Sendable, Equatable {
        public var step: Int
        public var m: [Float]
        public var v: [Float]
        public var learningRate: Float
        public var beta1, beta2, epsilon, weightDecay: Float
        public var decoupled: Bool
    }

    /// An optimiser sized for `store` (add all parameters first).
    public init(store: ParameterStore, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = true) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2
        self.epsilon = epsilon; self.weightDecay = weightDecay; self.decoupled = decoupled
        m = [Float](repeating: 0, count: store.count)
        v = [Float](repeating: 0, count: store.count)
    }

    /// One update of all trainable parameters from `store.grads`.
    public func update(_ store: ParameterStore) {
        precondition(store.count == m.count, "Adam: store has \(store.count) values, optimiser was built for \(m.count)")
        step += 1
        let t = Float(step)
        let bc1 = 1 - powf(beta1, t)
        let bc2 = 1 - powf(beta2, t)
        let stepSize = learningRate / bc1
        let invSqrtBc2 = 1 / bc2.squareRoot()
        let b1 = beta1, b2 = beta2, eps = epsilon, lr = learningRate, wd = weightDecay
        let decay: Float = decoupled ? 1 - lr * wd : 1
        let l2: Float = decoupled ? 0 : wd
        let p = store.values.baseAddress!, g = store.grads.baseAddress!
        m.withUnsafeMutableBufferPointer { mb in
            v.withUnsafeMutableBufferPointer { vb in
                let mp = mb.baseAddress!, vp = vb.baseAddress!
                store.forEachTrainable { offset, count in
                    for i in offset ..< offset + count {
                        let gi = g[i] + l2 * p[i]
                        let mi = b1 * mp[i] + (1 - b1) * gi
                        let vi = b2 * vp[i] + (1 - b2) * gi * gi
                        mp[i] = mi; vp[i] = vi
                        p[i] = p[i] * decay - stepSize * mi / (vi.squareRoot() * invSqrtBc2 + eps)
                    }
                }
            }
        }
    }

    /// The state to save in a checkpoint.
    public var state: State {
        State(step: step, m: m, v: v, learningRate: learningRate, beta1: beta1, beta2: beta2,
              epsilon: epsilon, weightDecay: weightDecay, decoupled: decoupled)
    }

    /// Restores a saved state (sizes must match). Set `learningRate` afterwards if PBT changed it.
    public func restore(_ s: State) throws {
        guard s.m.count == m.count, s.v.count == v.count else {
            throw EngineError.shapeMismatch("optimiser state has \(s.m.count) values, model needs \(m.count): checkpoint is from a different model config")
        }
        step = s.step; m = s.m; v = s.v; learningRate = s.learningRate
        beta1 = s.beta1; beta2 = s.beta2; epsilon = s.epsilon; weightDecay = s.weightDecay; decoupled = s.decoupled
    }

    /// Clears the moments and step count.
    public func resetMoments() {
        step = 0
        for i in 0..<m.count { m[i] = 0; v[i] = 0 }
    }
}

import Foundation
