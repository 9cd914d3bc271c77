"""Reads a synthetic NLB-style NWB file (autolfads data synth nlb) with pynwb and nlb_tools
and prints one JSON object describing what they see. Used by NLBSynthTests.swift.

usage: nwb_synth_check.py FILE.nwb [--psth]
Exit 0 with JSON on stdout; a missing module exits 3 with "No module named …" on stderr.
"""
import json
import sys
import warnings


def main():
    path = sys.argv[1]
    want_psth = "--psth" in sys.argv[2:]
    import numpy as np
    from pynwb import NWBHDF5IO, validate

    out = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with NWBHDF5IO(path, "r") as io:
            nwb = io.read()
            units = nwb.units.to_dataframe()
            trials = nwb.trials.to_dataframe()
            out["units"] = len(units)
            out["unit_ids"] = [int(i) for i in units.index]
            out["units_colnames"] = list(nwb.units.colnames)
            out["heldout"] = [bool(h) for h in units["heldout"]]
            out["heldout_dtype"] = str(units["heldout"].dtype)
            out["spike_counts"] = [int(len(s)) for s in units["spike_times"]]
            out["spikes_sorted"] = bool(all(np.all(np.diff(s) >= 0) for s in units["spike_times"]))
            out["obs_intervals"] = [[float(a), float(b)] for iv in units["obs_intervals"] for a, b in iv]
            out["trials"] = len(trials)
            out["trials_colnames"] = list(nwb.trials.colnames)
            out["splits"] = {k: int(v) for k, v in trials["split"].value_counts().items()}
            onset = (trials["move_onset_time"] - trials["start_time"]).to_numpy()
            out["onset_after_start_ms"] = [float(onset.min() * 1000), float(onset.max() * 1000)]
            out["conditions"] = int(trials.groupby(["trial_type", "trial_version"]).ngroups)
            out["processing"] = sorted(nwb.processing.keys())
            hv = nwb.processing["behavior"]["hand_vel"]
            out["hand_vel_shape"] = list(hv.data.shape)
            out["hand_vel_dt"] = float(np.median(np.diff(hv.timestamps[:1000])))
            rates = nwb.processing["truth"]["rates"]
            lat = nwb.processing["truth"]["latents"]
            out["rates_shape"] = list(rates.data.shape)
            out["latents_shape"] = list(lat.data.shape)
            out["truth_rate_hz"] = [float(rates.rate), float(lat.rate)]
            r = np.asarray(rates.data[()], dtype=np.float64)
            out["truth_expected_counts"] = [float(x) for x in r.sum(axis=0) / rates.rate]
            out["identifier"] = nwb.identifier
            out["session_start_time"] = nwb.session_start_time.isoformat()
    out["pynwb_warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    errors, _ = validate(paths=[path], use_cached_namespaces=False)
    out["validation_errors"] = [str(e) for e in errors]

    import logging
    logging.disable(logging.CRITICAL)
    from nlb_tools.nwb_interface import NWBDataset
    from nlb_tools.make_tensors import make_train_input_tensors, make_eval_target_tensors, make_eval_input_tensors

    ds = NWBDataset(path)
    out["nlb_spike_counts"] = [int(x) for x in np.nansum(ds.data["spikes"].to_numpy(dtype=np.float64), axis=0)]
    out["nlb_heldout_spike_counts"] = [int(x) for x in np.nansum(ds.data["heldout_spikes"].to_numpy(dtype=np.float64), axis=0)]
    out["nlb_fields"] = sorted(set(ds.data.columns.get_level_values(0)))
    ds.resample(20)
    train = make_train_input_tensors(ds, "mc_maze", "train", save_file=False, include_behavior=True,
                                     include_forward_pred=True)
    out["train_tensors"] = {k: list(v.shape) for k, v in train.items()}
    evin = make_eval_input_tensors(ds, "mc_maze", "val", save_file=False)
    out["eval_input_tensors"] = {k: list(v.shape) for k, v in evin.items()}
    target = make_eval_target_tensors(ds, "mc_maze", "train", "val", save_file=False, include_psth=want_psth)
    key = next(iter(target))
    out["target_key"] = key
    t = target[key]
    out["target_tensors"] = {k: list(np.shape(v)) for k, v in t.items() if isinstance(v, np.ndarray) and v.dtype != object}
    out["target_nan_free"] = bool(all(not np.isnan(t[k]).any() for k in
                                      ["eval_spikes_heldout", "train_behavior", "eval_behavior",
                                       "eval_spikes_heldin_forward", "eval_spikes_heldout_forward"]))
    if "psth" in t:
        out["psth_conditions"] = len(t["eval_cond_idx"])
        out["psth_finite_fraction"] = float(np.isfinite(t["psth"]).mean())
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main()
    except ModuleNotFoundError as e:
        print(f"No module named {e.name}: run scripts/deps --test", file=sys.stderr)
        sys.exit(3)
