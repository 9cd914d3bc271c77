import Engine

/// Adds a parameter filled uniformly in [lo, hi) from a seeded stream.
func uniformParam(_ store: ParameterStore, _ name: String, _ rows: Int, _ cols: Int,
                  lo: Float = -1, hi: Float = 1, seed: UInt64 = 1) -> Param {
    let p = store.add(name, rows: rows, cols: cols)
    var rng = Rng(seed: seed, stream: UInt64(store.entries.count))
    let v = store.value(p)
    rng.fillUniform(v.baseAddress!, count: v.count, low: lo, high: hi)
    return p
}

/// Runs the gradient checker and returns the result (tests assert `passed`).
func gradcheck(_ store: ParameterStore, step: Float = 3e-3, build: (Tape, inout Rng) -> Tensor) -> GradCheck.Result {
    GradCheck.check(store: store, step: step, build: build)
}
