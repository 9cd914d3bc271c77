extension LFADSConfig {
    /// Checks ranges and cross-field consistency; throws the first problem found.
    /// Data dimensions may still be 0 (meaning "from the data"); `resolved(with:)` fills them.
    public func validate() throws {
        func check(_ ok: Bool, _ key: String, _ reason: String) throws {
            if !ok { throw ConfigError.invalid(key: key, reason: reason) }
        }
        for (key, v) in [("encod_data_dim", encodDataDim), ("encod_seq_len", encodSeqLen),
                         ("recon_data_dim", reconDataDim), ("recon_seq_len", reconSeqLen),
                         ("ext_input_dim", extInputDim), ("readin_dim", readinDim), ("ic_enc_seq_len", icEncSeqLen),
                         ("ci_enc_dim", ciEncDim), ("con_dim", conDim), ("co_dim", coDim),
                         ("ci_lag", ciLag), ("lr_patience", lrPatience), ("l2_start_epoch", l2StartEpoch),
                         ("l2_increase_epoch", l2IncreaseEpoch), ("kl_start_epoch", klStartEpoch),
                         ("kl_increase_epoch", klIncreaseEpoch), ("spike_jitter_width", spikeJitterWidth),
                         ("max_epochs", maxEpochs), ("early_stopping_patience", earlyStoppingPatience),
                         ("sv_seed", svSeed), ("seed", seed)] {
            try check(v >= 0, key, "must be ≥ 0 (got \(v))")
        }
        for (key, v) in [("ic_enc_dim", icEncDim), ("ic_dim", icDim), ("gen_dim", genDim),
                         ("fac_dim", facDim), ("batch_size", batchSize),
                         ("posterior_samples", posteriorSamples), ("threads", threads)] {
            try check(v > 0, key, "must be > 0 (got \(v))")
        }
        try check(readoutBiasFromData == 0 || readoutBiasFromData == 1, "readout_bias_from_data", "must be 0 or 1 (got \(readoutBiasFromData))")
        try check(allowMissing == 0 || allowMissing == 1, "allow_missing", "must be 0 or 1 (got \(allowMissing))")
        try check(pcrInit == 0 || pcrInit == 1, "pcr_init", "must be 0 or 1 (got \(pcrInit))")
        try check(doTrainReadin == 0 || doTrainReadin == 1, "do_train_readin", "must be 0 or 1 (got \(doTrainReadin))")
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
                         ("kl_ic_scale", klIcScale), ("kl_co_scale", klCoScale)] {
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
