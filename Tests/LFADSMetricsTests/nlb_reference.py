"""Reference values for NLBMetricsTests, computed with nlb_tools 0.0.4 and scikit-learn.

Usage: nlb_reference.py INPUT.json  (prints one JSON object on stdout)

The input holds flat row-major arrays (trials x time x channels, NaN written as null) and their
shapes; see NLBMetricsTests.swift for the layout. Every number printed comes from the library
under test's reference implementation: nlb_tools.evaluation for the metrics, NWBDataset.smooth_spk
for smoothing, sklearn PoissonRegressor for the baseline GLM.
"""
import json
import logging
import sys
import warnings

import numpy as np
import pandas as pd
from nlb_tools.evaluation import bits_per_spike, eval_psth, velocity_decoding
from nlb_tools.nwb_interface import NWBDataset
from sklearn.linear_model import PoissonRegressor, Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")


def arr(d, key, *shape):
    return np.array([np.nan if v is None else v for v in d[key]], dtype=float).reshape(shape)


def out(a):
    a = np.asarray(a, dtype=float).ravel()
    return [None if np.isnan(v) else float(v) for v in a]


def smooth_trials(spikes, kern_sd, bin_width):
    """Smooth each trial separately with the real NWBDataset.smooth_spk."""
    result = np.empty_like(spikes)
    for i, trial in enumerate(spikes):
        ds = object.__new__(NWBDataset)
        ds.bin_width = bin_width
        cols = pd.MultiIndex.from_product([["spikes"], range(trial.shape[1])],
                                          names=("signal_type", "channel"))
        ds.data = pd.DataFrame(trial, columns=cols)
        ds.smooth_spk(kern_sd, signal_type="spikes", name="smth", parallelized=False)
        result[i] = ds.data["spikes_smth"].to_numpy()
    return result


def fit_glm(x_train, y_train, alpha, **kw):
    pr = PoissonRegressor(alpha=alpha, **kw)
    pr.fit(x_train, y_train)
    return pr


def main():
    with open(sys.argv[1]) as f:
        d = json.load(f)
    T, nin, nout = d["time"], d["heldin"], d["heldout"]
    ntr, nev, q, ncond = d["train_trials"], d["eval_trials"], d["behavior_channels"], d["conditions"]
    n = nin + nout
    res = {}

    # Bits per spike (co-bps on held-out units, fp-bps on forward bins).
    res["co_bps"] = float(bits_per_spike(arr(d, "eval_rates_heldout", nev, T, nout),
                                         arr(d, "eval_spikes_heldout", nev, T, nout)))
    fT = d["forward_time"]
    res["fp_bps"] = float(bits_per_spike(arr(d, "fp_rates", nev, fT, n), arr(d, "fp_spikes", nev, fT, n)))

    # R² of the forward-prediction rates against the forward spikes (LFADSMetrics.RSquared), per neuron
    # averaged and variance weighted.
    fp_t, fp_p = arr(d, "fp_spikes", nev, fT, n).reshape(-1, n), arr(d, "fp_rates", nev, fT, n).reshape(-1, n)
    res["r2_uniform"] = float(r2_score(fp_t, fp_p, multioutput="uniform_average"))
    res["r2_variance_weighted"] = float(r2_score(fp_t, fp_p, multioutput="variance_weighted"))

    # Velocity decoding (one mask covering every trial, as evaluate() builds it).
    tr, tb = arr(d, "train_rates", ntr, T, n), arr(d, "train_behavior", ntr, T, q)
    er, eb = arr(d, "eval_rates", nev, T, n), arr(d, "eval_behavior", nev, T, q)
    res["vel_r2"] = float(velocity_decoding(tr, tb, np.full((ntr, 1), True), er, eb, np.full((nev, 1), True)))
    x, y = tr.reshape(-1, n), tb.reshape(-1, q)
    keep = ~np.isnan(y[:, 0])
    gs = GridSearchCV(Ridge(), {"alpha": np.logspace(-4, 0, 9)}).fit(x[keep], y[keep])
    res["vel_best_alpha"] = float(gs.best_params_["alpha"])
    res["vel_cv_means"] = out(gs.cv_results_["mean_test_score"])

    # PSTH R².
    cond_idx = [np.array(c, dtype=int) for c in d["eval_cond_idx"]]
    res["psth_r2"] = float(eval_psth(arr(d, "psth", ncond, T, n), er, cond_idx))

    # Smoothing (NWBDataset.smooth_spk applied per trial) for each (kern_sd, bin_width).
    train_in = arr(d, "train_spikes_heldin", ntr, T, nin)
    eval_in = arr(d, "eval_spikes_heldin", nev, T, nin)
    res["smooth_train"] = [out(smooth_trials(train_in, k, b)) for k, b in d["smooth_configs"]]

    # Smoothing baseline GLM, as run_smoothing.py: log(smoothed + offset) -> held-out spikes.
    g = d["glm"]
    s_train = smooth_trials(train_in, g["kern_sd"], g["bin_width"]).reshape(-1, nin)
    s_eval = smooth_trials(eval_in, g["kern_sd"], g["bin_width"]).reshape(-1, nin)
    res["glm_smooth_eval"] = out(s_eval)
    x_train, x_eval = np.log(s_train + g["log_offset"]), np.log(s_eval + g["log_offset"])
    y_out = arr(d, "train_spikes_heldout", ntr, T, nout).reshape(-1, nout)
    exact_tr, exact_ev, lb_tr, lb_ev, coefs, icpts = [], [], [], [], [], []
    for u in range(nout):
        pr = fit_glm(x_train, y_out[:, u], g["alpha"], solver="newton-cholesky", tol=1e-12, max_iter=1000)
        exact_tr.append(pr.predict(x_train)); exact_ev.append(pr.predict(x_eval))
        coefs.append(out(pr.coef_)); icpts.append(float(pr.intercept_))
        max_iter = 500   # run_smoothing.py's default lbfgs fit with its retry loop
        pr = fit_glm(x_train, y_out[:, u], g["alpha"], max_iter=max_iter)
        while pr.n_iter_ == pr.max_iter and pr.max_iter < 10000:
            max_iter *= 5
            pr = fit_glm(x_train, y_out[:, u], g["alpha"], max_iter=max_iter)
        lb_tr.append(pr.predict(x_train)); lb_ev.append(pr.predict(x_eval))
    clip = lambda a: np.clip(np.vstack(a).T, 1e-9, 1e20)
    res["glm_exact_train"], res["glm_exact_eval"] = out(clip(exact_tr)), out(clip(exact_ev))
    res["glm_lbfgs_train"], res["glm_lbfgs_eval"] = out(clip(lb_tr)), out(clip(lb_ev))
    res["glm_coef"], res["glm_intercept"] = coefs, icpts
    print(json.dumps(res))


if __name__ == "__main__":
    main()
