import LFADSData

/// Multi-session stitching (one data file per session, as lfads-torch's multi-session models): per-session data dimensions and their checks.
extension LFADSConfig {
    /// The single-session view of session `i`: its neuron counts in `encod_data_dim` /
    /// `recon_data_dim`, no session lists. For an unstitched config, the config itself.
    public func session(_ i: Int) -> LFADSConfig {
        guard isStitched else { return self }
        var c = self
        c.encodDataDim = sessionEncodDims[i]; c.reconDataDim = sessionReconDims[i]
        c.sessionEncodDims = []; c.sessionReconDims = []
        return c
    }

    /// Consistency of the session keys (part of `validate()`).
    func validateSessions() throws {
        func check(_ ok: Bool, _ key: String, _ reason: String) throws {
            if !ok { throw ConfigError.invalid(key: key, reason: reason) }
        }
        try check(sessionEncodDims.count == sessionReconDims.count, "session_recon_dims",
                  "must list one entry per session like session_encod_dims (\(sessionEncodDims.count) sessions, got \(sessionReconDims.count))")
        guard isStitched else { return }
        try check(sessionEncodDims.count >= 2, "session_encod_dims", "lists \(sessionEncodDims.count) session; stitching needs 2 or more (use [] for one data file)")
        try check(sessionEncodDims.allSatisfy { $0 > 0 }, "session_encod_dims", "entries must be > 0 (got \(sessionEncodDims))")
        try check(zip(sessionEncodDims, sessionReconDims).allSatisfy { $1 >= $0 }, "session_recon_dims",
                  "entries must be ≥ the matching session_encod_dims (got \(sessionReconDims) vs \(sessionEncodDims))")
        try check(readinDim > 0, "readin_dim",
                  "must be > 0 when stitching \(sessionEncodDims.count) sessions (each session's readin maps its neurons to readin_dim shared inputs)")
        try check(encodDataDim == 0 && reconDataDim == 0, "encod_data_dim",
                  "and recon_data_dim must be 0 when stitching sessions (each session has its own; see session_encod_dims)")
        try check(batchSize >= sessionEncodDims.count, "batch_size",
                  "must be ≥ the number of sessions \(sessionEncodDims.count) (each step takes batch_size/sessions trials per session)")
    }

    /// The config for stitching `datasets` (one per session, in order; `names` label them in
    /// errors): shared time bins and external inputs, per-session neuron counts. One dataset
    /// gives `resolved(for:)`.
    /// - Throws: `ConfigError` naming the session whose dimensions disagree.
    public func resolved(for datasets: [LFADSDataset], names: [String]? = nil) throws -> LFADSConfig {
        guard datasets.count > 1 else {
            guard let d = datasets.first else { throw ConfigError.malformed(source: "data", reason: "give at least one data file") }
            guard !isStitched || sessionEncodDims.count == 1 else {
                throw ConfigError.invalid(key: "session_encod_dims", reason: "lists \(sessionEncodDims.count) sessions but 1 data file was given; pass one file per session")
            }
            return try resolved(for: d)
        }
        let label = { (i: Int) in names.map { "session \(i) (\($0[i]))" } ?? "session \(i)" }
        let first = datasets[0]
        for (i, d) in datasets.enumerated().dropFirst() {
            for (key, a, b) in [("encod_seq_len", d.encodTime, first.encodTime), ("recon_seq_len", d.reconTime, first.reconTime),
                                ("ext_input_dim", d.extInputDim, first.extInputDim)] where a != b {
                throw ConfigError.invalid(key: key, reason: "differs between sessions: \(label(i)) has \(a), \(label(0)) has \(b); every session needs the same time bins and external inputs")
            }
        }
        let enc = datasets.map(\.encodNeurons), rec = datasets.map(\.reconNeurons)
        for (key, set, actual) in [("session_encod_dims", sessionEncodDims, enc), ("session_recon_dims", sessionReconDims, rec)]
        where !set.isEmpty && set != actual {
            throw ConfigError.invalid(key: key, reason: "is \(set) but the \(datasets.count) data files have \(actual) (set it to \(actual) or [])")
        }
        var c = self
        c.sessionEncodDims = enc; c.sessionReconDims = rec
        // Shared dims through the single-session resolver (neuron counts checked per session above).
        var probe = c
        probe.sessionEncodDims = []; probe.sessionReconDims = []
        probe = try probe.resolved(encodDataDim: enc[0], encodSeqLen: first.encodTime, reconDataDim: rec[0],
                                   reconSeqLen: first.reconTime, extInputDim: first.extInputDim)
        c.encodSeqLen = probe.encodSeqLen; c.reconSeqLen = probe.reconSeqLen; c.extInputDim = probe.extInputDim
        try c.validate()
        return c
    }
}
