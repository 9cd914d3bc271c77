"""Independent NWB / nlb_tools reference used by the Swift NWB tests (never by the product).

  nwb_check.py write FILE [--seed N] [--no-heldout]
      writes a small NLB mc_maze-like NWB 2.x file with pynwb: 60 trials, 12 units (4 held out via
      the `heldout` column), obs_intervals with one gap between trials, trials with
      start/stop/move_onset_time/trial_type/trial_version/split, `hand_vel` (1 ms, timestamps) in
      /processing/behavior (and `cursor_pos` with NaN stretches and samples) and ground truth `rates` (Hz) / `latents` at 5 ms in /processing/truth.
  nwb_check.py reference FILE OUT.h5 --bin MS --window START:END --fp-len MS --lag MS --kern-sd MS
      loads FILE with nlb_tools' NWBDataset, resample(bin), and writes what
      make_train_input_tensors / make_eval_input_tensors / make_eval_target_tensors (dataset_name
      'mc_maze', parameters overridden through update_params) return, plus truth counts per bin
      computed with numpy and aligned with make_stacked_array.
  nwb_check.py attrs FILE
      prints the root attributes of FILE as JSON (numbers, lists, strings) read with h5py.
  nwb_check.py craft-huge FILE
      writes an NWB-like file whose units/spike_times declares 2**33 float64 values it never stores.
"""
import argparse
import os
import sys
import warnings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402


def write(path, seed, heldout=True):
    from datetime import datetime, timezone
    from pynwb import NWBFile, NWBHDF5IO, TimeSeries

    rng = np.random.default_rng(seed)
    n_trials, n_units, n_lat = 60, 12, 3
    heldout_units = {2, 5, 8, 11}
    starts, stops, onsets = [], [], []
    t = 0.5
    for i in range(n_trials):
        dur = round(float(rng.uniform(0.95, 1.4)), 3)
        starts.append(t)
        stops.append(round(t + dur, 3))
        # move onset off the 1 ms grid (0.1 ms resolution) to exercise alignment
        onsets.append(round(t + float(rng.uniform(0.32, dur - 0.55)), 4))
        gap = 0.9 if i == 29 else float(rng.uniform(0.05, 0.3))   # one long inter-trial gap
        t = round(stops[-1] + gap, 3)
    end = round(t + 0.2, 3)
    # obs_intervals: everything except a stretch inside the long gap after trial 29
    gap_lo, gap_hi = round(stops[29] + 0.3, 3), round(stops[29] + 0.6, 3)
    obs = [[0.0, gap_lo], [gap_hi, end]]

    ttype = rng.integers(1, 4, n_trials)
    tver = rng.integers(0, 2, n_trials)
    split = rng.choice(["train", "val", "test"], n_trials, p=[0.6, 0.2, 0.2])
    split[:3] = ["train", "val", "test"]

    # latents at 5 ms, rates = exp(readout) in Hz
    dt5 = 0.005
    n5 = int(round(end / dt5))
    tt5 = np.arange(n5) * dt5
    lat = np.stack([np.sin(2 * np.pi * tt5 * f + p) for f, p in [(0.7, 0.1), (1.3, 1.0), (2.1, 2.0)]], 1)
    for s, o, ty in zip(starts, onsets, ttype):
        bump = np.exp(-0.5 * ((tt5 - o - 0.1) / 0.08) ** 2)
        lat[:, ty % n_lat] += 1.5 * bump
    w = rng.normal(0, 0.6, (n_lat, n_units))
    base = np.log(rng.uniform(8, 30, n_units))
    rates = np.exp(base + lat @ w)

    units_spikes = []
    for u in range(n_units):
        spikes = []
        for k in range(n5):
            c = rng.poisson(rates[k, u] * dt5)
            if c:
                spikes.extend(tt5[k] + rng.uniform(0, dt5, c))
        spikes = np.sort(np.array(spikes))
        spikes = spikes[((spikes < gap_lo) | (spikes >= gap_hi)) & (spikes < end - 0.001)]
        units_spikes.append(spikes)

    nwb = NWBFile(session_description="synthetic mc_maze-like", identifier="nwbtest",
                  session_start_time=datetime(2024, 1, 1, tzinfo=timezone.utc))
    nwb.add_unit_column("heldout", "held-out unit")
    for u in range(n_units):
        nwb.add_unit(spike_times=units_spikes[u], obs_intervals=obs, heldout=(u in heldout_units) and heldout)
    nwb.add_trial_column("move_onset_time", "movement onset")
    nwb.add_trial_column("trial_type", "condition")
    nwb.add_trial_column("trial_version", "version")
    nwb.add_trial_column("split", "data split")
    for i in range(n_trials):
        nwb.add_trial(start_time=starts[i], stop_time=stops[i], move_onset_time=onsets[i],
                      trial_type=int(ttype[i]), trial_version=int(tver[i]), split=str(split[i]))

    n1 = int(round(end * 1000))
    ts1 = np.arange(n1) / 1000.0
    lat1 = np.stack([np.interp(ts1, tt5, lat[:, j]) for j in range(n_lat)], 1)
    vel = lat1[:, :2] @ np.array([[1.0, 0.3], [-0.4, 0.8]]) + 0.05 * rng.normal(size=(n1, 2))
    beh = nwb.create_processing_module("behavior", "behaviour")
    beh.add(TimeSeries(name="hand_vel", data=vel, timestamps=ts1, unit="m/s", description="hand velocity"))
    # cursor_pos: NaN over most of the long gap and single NaN samples (never on a
    # 5 ms bin start) inside every trial, so nlb_tools interpolates before decimating
    cur = np.stack([np.cos(ts1 * 2.3) + lat1[:, 2], np.sin(ts1 * 1.1) + lat1[:, 0]], 1)
    for o in onsets:
        r = int(o * 1000)
        cur[r - r % 5 + 2, 0] = np.nan
        cur[r - r % 5 + 53, 1] = np.nan
    # (NaN rather than left out: nlb_tools' frame join does not sort, so a series with missing
    # timestamps scrambles its row order)
    cur[(ts1 >= stops[29] + 0.25) & (ts1 < stops[29] + 0.85)] = np.nan
    beh.add(TimeSeries(name="cursor_pos", data=cur, timestamps=ts1, unit="m",
                       description="cursor position with gaps"))
    truth = nwb.create_processing_module("truth", "ground truth")
    truth.add(TimeSeries(name="rates", data=rates, starting_time=0.0, rate=200.0, unit="Hz",
                         description="true rates"))
    truth.add(TimeSeries(name="latents", data=lat, starting_time=0.0, rate=200.0, unit="a.u.",
                         description="true latents"))
    with NWBHDF5IO(path, "w") as io:
        io.write(nwb)


def reference(path, out, bin_ms, window, fp_len, lag, kern_sd):
    import h5py
    import pandas as pd
    import nlb_tools.nwb_interface as ni
    import nlb_tools.make_tensors as mt
    import logging
    logging.disable(logging.WARNING)

    # nlb_tools cannot load a TimeSeries called `rates` on its own (its column naming reads
    # self.data before it exists) and 5 ms truth would put NaNs into the 1 ms frame: skip them.
    orig_load = ni.NWBDataset.load

    def load(self, fpath, split_heldout=True, skip_fields=[]):
        return orig_load(self, fpath, split_heldout=split_heldout,
                         skip_fields=list(skip_fields) + ["rates", "latents"])
    ni.NWBDataset.load = load
    # smooth_spk maps over a multiprocessing pool; serial map gives the same numbers without
    # forking (forked pools can hang under a test runner)
    ni._poolmap = lambda f, X, nprocs=None, chunksize=None: list(map(f, X))

    ds = ni.NWBDataset(path)
    ds.resample(bin_ms)
    start, stop = window
    mp = {"align_field": "move_onset_time", "align_range": (start, stop)}
    params = {
        "make_params": dict(mp), "eval_make_params": dict(mp), "fp_len": fp_len, "lag": lag,
        "behavior_field": "hand_vel",
        "psth_params": {"cond_fields": ["trial_type", "trial_version"], "make_params": dict(mp),
                        "kern_sd": kern_sd},
    }
    tr = mt.make_train_input_tensors(ds, "mc_maze", "train", update_params=params, save_file=False,
                                     include_behavior=True, include_forward_pred=True)
    ev = mt.make_eval_input_tensors(ds, "mc_maze", "val", update_params=params, save_file=False)
    te = mt.make_eval_input_tensors(ds, "mc_maze", "test", update_params=params, save_file=False)
    tg = mt.make_eval_target_tensors(ds, "mc_maze", "train", "val", update_params=params,
                                     save_file=False, include_psth=True)
    tg = tg[list(tg.keys())[0]]

    # truth: 5 ms rates (Hz) averaged into each bin, times bin seconds; channels held-in then held-out
    with h5py.File(path, "r") as f:
        rates = f["processing/truth/rates/data"][()]
        held = f["units/heldout"][()].astype(bool)
    order = np.concatenate([np.where(~held)[0], np.where(held)[0]])
    per = bin_ms // 5
    nb = len(ds.data.index)
    padded = np.full((nb * per, rates.shape[1]), np.nan)
    m = min(len(rates), nb * per)
    padded[:m] = rates[:m]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        counts = np.nanmean(padded.reshape(nb, per, -1), 1)[:, order] * bin_ms / 1000.0
    ds.add_continuous_data(counts, "truthcounts")
    fpmp = {"align_field": "move_onset_time", "align_range": (start, stop + fp_len), "allow_overlap": True}
    ti = ds.trial_info
    truth = {s: mt.make_stacked_array(ds, ["truthcounts"], dict(fpmp), (ti.split == s).to_numpy())["truthcounts"]
             for s in ["train", "val", "test"]}

    bmp = mt._prep_behavior(ds, lag, mp)
    cursor = {s: mt.make_jagged_array(ds, ["cursor_pos"], dict(bmp), (ti.split == s).to_numpy())[0]["cursor_pos"]
              for s in ["train", "val", "test"]}
    hand_test = mt.make_jagged_array(ds, ["hand_vel"], dict(bmp), (ti.split == "test").to_numpy())[0]["hand_vel"]

    def f64(a):
        return np.asarray(a, dtype=np.float64)
    with h5py.File(out, "w") as f:
        f["train_heldin"] = f64(tr["train_spikes_heldin"])
        f["train_heldout"] = f64(tr["train_spikes_heldout"])
        f["train_heldin_forward"] = f64(tr["train_spikes_heldin_forward"])
        f["train_heldout_forward"] = f64(tr["train_spikes_heldout_forward"])
        f["train_behavior"] = f64(tr["train_behavior"])
        f["valid_heldin"] = f64(ev["eval_spikes_heldin"])
        f["valid_heldout"] = f64(ev["eval_spikes_heldout"])
        f["test_heldin"] = f64(te["eval_spikes_heldin"])
        f["valid_heldin_forward"] = f64(tg["eval_spikes_heldin_forward"])
        f["valid_heldout_forward"] = f64(tg["eval_spikes_heldout_forward"])
        f["valid_behavior"] = f64(tg["eval_behavior"])
        f["target_train_behavior"] = f64(tg["train_behavior"])
        f["psth"] = f64(tg["psth"])
        cond = np.full(len(ev["eval_spikes_heldin"]), -1, dtype=np.int64)
        for c, ids in enumerate(tg["eval_cond_idx"]):
            cond[np.asarray(ids, dtype=np.int64)] = c
        f["valid_conds"] = cond
        tcond = np.full(len(tr["train_spikes_heldin"]), -1, dtype=np.int64)
        for c, ids in enumerate(tg["train_cond_idx"]):
            tcond[np.asarray(ids, dtype=np.int64)] = c
        f["train_conds"] = tcond
        f["test_behavior"] = f64(hand_test)
        for s, key in [("train", "train"), ("val", "valid"), ("test", "test")]:
            f[key + "_cursor"] = f64(cursor[s])
            f[key + "_inds"] = ti[ti.split == s].trial_id.to_numpy().astype(np.int64)
            f[key + "_truth"] = f64(truth[s])
    print("ok")


def attrs(path):
    import json
    import h5py
    out = {}
    with h5py.File(path, "r") as f:
        for k, v in f.attrs.items():
            if isinstance(v, bytes):
                v = v.decode()
            elif isinstance(v, np.ndarray):
                v = v.tolist()
            elif isinstance(v, np.generic):
                v = v.item()
            out[k] = v
    print(json.dumps(out, sort_keys=True))


def craft_huge(path):
    import h5py
    with h5py.File(path, "w") as f:
        f.attrs["nwb_version"] = "2.7.0"
        f.create_dataset("units/spike_times", shape=(2 ** 33,), dtype="f8")
        f["units/spike_times_index"] = np.array([2 ** 33], dtype=np.int64)
        f["intervals/trials/start_time"] = np.array([0.0, 1.0])
        f["intervals/trials/stop_time"] = np.array([0.9, 1.9])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["write", "reference", "attrs", "craft-huge"])
    p.add_argument("file")
    p.add_argument("out", nargs="?")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-heldout", action="store_true")
    p.add_argument("--bin", type=int, default=5)
    p.add_argument("--window", default="-250:450")
    p.add_argument("--fp-len", type=int, default=200)
    p.add_argument("--lag", type=int, default=0)
    p.add_argument("--kern-sd", type=int, default=50)
    a = p.parse_args()
    if a.mode == "attrs":
        attrs(a.file)
    elif a.mode == "craft-huge":
        craft_huge(a.file)
        print("ok")
    elif a.mode == "write":
        write(a.file, a.seed, heldout=not a.no_heldout)
        print("ok")
    else:
        s, e = (int(x) for x in a.window.split(":"))
        reference(a.file, a.out, a.bin, (s, e), a.fp_len, a.lag, a.kern_sd)


if __name__ == "__main__":
    sys.exit(main())
