extension LFADSConfig {
    /// Upper bounds of the numeric keys: generous (far above any real model) so that no shape product
    /// overflows and no allocation they size exhausts memory; a typo such as `gen_dim=1e8` is one error.
    public enum Limits {
        /// Every layer width and data dimension (`gen_dim`, `fac_dim`, `encod_data_dim`, …): at most 10 000.
        public static let dim = 10_000
        /// Time bins (`encod_seq_len`, `recon_seq_len`, `ic_enc_seq_len`, `ci_lag`, `spike_jitter_width`, `temporal_shift_max`): at most 100 000.
        public static let bins = 100_000
        /// Epoch counts (`max_epochs`, ramps, patiences): at most 10 000 000.
        public static let epochs = 10_000_000
        /// `batch_size`: at most 100 000 trials.
        public static let batchSize = 100_000
        /// `posterior_samples`: at most 10 000.
        public static let posteriorSamples = 10_000
        /// `threads`: at most 1024.
        public static let threads = 1024
        /// `seed`, `sv_seed`: 0 … 2^53 − 1 (exact in YAML/JSON numbers).
        public static let seed = (1 << 53) - 1
        /// Sessions in a stitched model: at most 1000.
        public static let sessions = 1000
        /// Real-valued keys (rates, scales, learning rates, clips): magnitude at most 1e12.
        public static let magnitude = 1e12
    }

    /// Checks ranges and cross-field consistency; throws the first problem found.
    /// Data dimensions may still be 0 (meaning "from the data"); `resolved(with:)` fills them.
    public func validate() throws {
        func check(_ ok: Bool, _ key: String, _ reason: String) throws {
            if !ok { throw ConfigError.invalid(key: key, reason: reason) }
        }
        func range(_ key: String, _ v: Int, _ lo: Int, _ hi: Int, _ note: String = "") throws {
            try check(v >= lo && v <= hi, key, "is \(v), out of range; allowed \(lo)…\(hi)\(note)")
        }
        typealias L = Limits
        // Data dimensions may be 0 (= from the data); readin_dim 0 = identity, ext_input_dim 0 = none.
        for (key, v) in [("encod_data_dim", encodDataDim), ("recon_data_dim", reconDataDim), ("readin_dim", readinDim),
                         ("ext_input_dim", extInputDim), ("ci_enc_dim", ciEncDim), ("con_dim", conDim), ("co_dim", coDim)] {
            try range(key, v, 0, L.dim)
        }
        for (key, v) in [("ic_enc_dim", icEncDim), ("ic_dim", icDim), ("gen_dim", genDim), ("fac_dim", facDim)] {
            try range(key, v, 1, L.dim)
        }
        for (key, v) in [("encod_seq_len", encodSeqLen), ("recon_seq_len", reconSeqLen), ("ic_enc_seq_len", icEncSeqLen),
                         ("ci_lag", ciLag), ("spike_jitter_width", spikeJitterWidth), ("temporal_shift_max", temporalShiftMax)] {
            try range(key, v, 0, L.bins)
        }
        for (key, v) in [("lr_patience", lrPatience), ("l2_start_epoch", l2StartEpoch), ("l2_increase_epoch", l2IncreaseEpoch),
                         ("kl_start_epoch", klStartEpoch), ("kl_increase_epoch", klIncreaseEpoch), ("max_epochs", maxEpochs),
                         ("early_stopping_patience", earlyStoppingPatience)] {
            try range(key, v, 0, L.epochs)
        }
        try range("batch_size", batchSize, 1, L.batchSize)
        try range("posterior_samples", posteriorSamples, 1, L.posteriorSamples)
        try range("threads", threads, 1, L.threads)
        try range("seed", seed, 0, L.seed)
        try range("sv_seed", svSeed, 0, L.seed)
        try check(sessionEncodDims.count <= L.sessions, "session_encod_dims", "lists \(sessionEncodDims.count) sessions, out of range; allowed at most \(L.sessions)")
        for (key, list) in [("session_encod_dims", sessionEncodDims), ("session_recon_dims", sessionReconDims)] {
            if let bad = list.first(where: { $0 > L.dim }) { try range(key, bad, 1, L.dim, " per session") }
        }
        for (key, v) in [("dropout_rate", dropoutRate), ("cell_clip", cellClip), ("ic_prior_var", icPriorVar),
                         ("ic_post_var_min", icPostVarMin), ("co_prior_tau", coPriorTau), ("co_prior_nvar", coPriorNvar),
                         ("gamma_loc", gammaLoc), ("scale_init", scaleInit), ("scale_prior", scalePrior),
                         ("scale_penalty", scalePenalty), ("lr_init", lrInit), ("lr_stop", lrStop), ("lr_decay", lrDecay),
                         ("lr_adam_epsilon", lrAdamEpsilon), ("weight_decay", weightDecay), ("max_grad_norm", maxGradNorm),
                         ("loss_scale", lossScale), ("l2_ic_enc_scale", l2IcEncScale), ("l2_ci_enc_scale", l2CiEncScale),
                         ("l2_gen_scale", l2GenScale), ("l2_con_scale", l2ConScale), ("kl_ic_scale", klIcScale),
                         ("kl_co_scale", klCoScale), ("temporal_shift_std", temporalShiftStd)] {
            try check(v.isFinite && abs(v) <= L.magnitude, key, "is \(v), out of range; allowed magnitudes up to \(L.magnitude)")
        }
        try validateSessions()
        try check(scaleInit > 0, "scale_init", "must be > 0 (got \(scaleInit))")
        try check(scalePrior >= 0 && scalePenalty >= 0, "scale_penalty", "scale_prior and scale_penalty must be ≥ 0")
        try check(gammaLoc >= 0, "gamma_loc", "must be ≥ 0 (got \(gammaLoc))")
        try check(spikeJitterWidth == 0 || reconstruction == .poisson, "spike_jitter_width",
                  "jitters spike counts and needs reconstruction: poisson (got \(reconstruction.rawValue)); set it to 0")
        let controllerDims = [ciEncDim, conDim, coDim]
        try check(controllerDims.allSatisfy { $0 == 0 } || controllerDims.allSatisfy { $0 > 0 }, "con_dim",
                  "ci_enc_dim, con_dim and co_dim must be all 0 (no controller) or all > 0 (got \(ciEncDim), \(conDim), \(coDim))")
        for (key, v) in [("dropout_rate", dropoutRate), ("cd_rate", cdRate), ("sv_rate", svRate),
                         ("lr_adam_beta1", lrAdamBeta1), ("lr_adam_beta2", lrAdamBeta2)] {
            try check(v >= 0 && v < 1, key, "must be in [0, 1) (got \(v))")
        }
        try check(cdPassRate >= 0 && cdPassRate <= 1, "cd_pass_rate", "must be in [0, 1] (got \(cdPassRate))")
        try check(lrDecay > 0 && lrDecay <= 1, "lr_decay", "must be in (0, 1], 1 = off (got \(lrDecay))")
        for (key, v) in [("cell_clip", cellClip), ("ic_prior_var", icPriorVar), ("co_prior_tau", coPriorTau),
                         ("co_prior_nvar", coPriorNvar), ("lr_init", lrInit), ("lr_adam_epsilon", lrAdamEpsilon),
                         ("max_grad_norm", maxGradNorm), ("loss_scale", lossScale)] {
            try check(v > 0, key, "must be > 0 (got \(v))")
        }
        for (key, v) in [("ic_post_var_min", icPostVarMin), ("lr_stop", lrStop), ("weight_decay", weightDecay),
                         ("l2_ic_enc_scale", l2IcEncScale), ("l2_ci_enc_scale", l2CiEncScale),
                         ("l2_gen_scale", l2GenScale), ("l2_con_scale", l2ConScale),
                         ("kl_ic_scale", klIcScale), ("kl_co_scale", klCoScale), ("temporal_shift_std", temporalShiftStd)] {
            try check(v >= 0, key, "must be ≥ 0 (got \(v))")
        }
        if encodSeqLen > 0 {
            try check(icEncSeqLen <= encodSeqLen, "ic_enc_seq_len", "must be ≤ encod_seq_len \(encodSeqLen) (got \(icEncSeqLen))")
            if reconSeqLen > 0 {
                try check(reconSeqLen >= encodSeqLen, "recon_seq_len", "must be ≥ encod_seq_len \(encodSeqLen) (got \(reconSeqLen))")
            }
        }
        if encodDataDim > 0 && reconDataDim > 0 {
            try check(reconDataDim >= encodDataDim, "recon_data_dim", "must be ≥ encod_data_dim \(encodDataDim) (got \(reconDataDim))")
        }
    }

    /// The config with data dimensions taken from the data where they are 0, checked against the data.
    /// - Throws: `ConfigError.invalid` when a set dimension disagrees with the data.
    public func resolved(encodDataDim nEnc: Int, encodSeqLen tEnc: Int, reconDataDim nRec: Int,
                         reconSeqLen tRec: Int, extInputDim ext: Int) throws -> LFADSConfig {
        var c = self
        for (key, path, actual) in [("encod_data_dim", \LFADSConfig.encodDataDim, nEnc),
                                    ("encod_seq_len", \.encodSeqLen, tEnc),
                                    ("recon_data_dim", \.reconDataDim, nRec),
                                    ("recon_seq_len", \.reconSeqLen, tRec),
                                    ("ext_input_dim", \.extInputDim, ext)] {
            if c[keyPath: path] == 0 { c[keyPath: path] = actual }
            else if c[keyPath: path] != actual {
                throw ConfigError.invalid(key: key, reason: "is \(c[keyPath: path]) but the data has \(actual) (set it to \(actual) or 0)")
            }
        }
        try c.validate()
        return c
    }
}
