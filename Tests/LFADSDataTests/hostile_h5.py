"""Crafts hostile LFADS HDF5 files for HostileInputTests.swift (run by the tests with h5py and numpy).

usage: hostile_h5.py OUTDIR
Writes one file per case into OUTDIR and prints a JSON list of cases on stdout:
  {"name": ..., "file": ..., "key": <text the one-line error must contain>}
Also writes OUTDIR/valid.h5 (a small valid original-convention file) and OUTDIR/cycle_valid.h5 /
OUTDIR/external_unused.h5 (valid files with a hard-link cycle / an unused external link), which the
tests read in-process. Every file is small (a few KiB): the hostility is in what they declare.
"""
import json
import os
import sys

import h5py
import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)
cases = []


def counts(b, t=10, n=5):
    return rng.poisson(1.0, size=(b, t, n)).astype(np.float32)


def base(f, train=True, valid=True):
    if train:
        f["train_data"] = counts(20)
    if valid:
        f["valid_data"] = counts(10)


def case(name, key, build, **kwargs):
    path = os.path.join(out, name + ".h5")
    with h5py.File(path, "w", **kwargs) as f:
        build(f)
    cases.append({"name": name, "file": path, "key": key})


# valid files for in-process checks and as the fuzzing seed
with h5py.File(os.path.join(out, "valid.h5"), "w") as f:
    base(f)
    f["train_inds"] = np.arange(20)
    f["valid_inds"] = np.arange(20, 30)
    f["train_truth"] = np.full((20, 10, 5), 1.0, np.float32)
    f["valid_truth"] = np.full((10, 10, 5), 1.0, np.float32)
with h5py.File(os.path.join(out, "cycle_valid.h5"), "w") as f:
    base(f)
    g = f.create_group("g")
    g["x"] = np.arange(3)
    g["loop"] = g          # hard link: g/loop is g
    f["g/up"] = f["/"]     # and back to the root
with h5py.File(os.path.join(out, "external_target.h5"), "w") as f:
    f["data"] = counts(20)
with h5py.File(os.path.join(out, "external_unused.h5"), "w") as f:
    base(f)
    f["elsewhere"] = h5py.ExternalLink("external_target.h5", "/data")

# 1. enormous declared shapes in tiny files (HDF5 returns fill values for unwritten data)
case("huge_used", "train_data", lambda f: (f.create_dataset("train_data", shape=(100000, 100000, 100), dtype="f4"),
                                           f.__setitem__("valid_data", counts(10))))
case("huge_used_chunked", "train_data",
     lambda f: (f.create_dataset("train_data", shape=(100000, 100000, 100), dtype="f4", chunks=(1, 100, 100),
                                 compression="gzip"), f.__setitem__("valid_data", counts(10))))
case("huge_unused", "behavior", lambda f: (base(f), f.create_dataset("behavior", shape=(100000, 100000, 100), dtype="f4",
                                                                     chunks=(1, 100, 100))))
case("huge_valid", "valid_data", lambda f: (f.__setitem__("train_data", counts(20)),
                                            f.create_dataset("valid_data", shape=(10, 10, 2**40), dtype="u1", chunks=(1, 1, 1024))))
# 2. element counts that overflow Int (2^21 per dimension = 2^63)
case("overflow_shape", "train_data", lambda f: (f.create_dataset("train_data", shape=(2**21, 2**21, 2**21), dtype="f4",
                                                                 chunks=(1, 1, 64)), f.__setitem__("valid_data", counts(10))))
case("overflow_zero_dim", "train_data", lambda f: (f.create_dataset("train_data", shape=(2**40, 2**40, 0), dtype="f4",
                                                                    chunks=(1, 1, 1), maxshape=(None, None, None)),
                                                   f.__setitem__("valid_data", counts(10))))


# 3. group structure: deep nesting, cycles without LFADS keys, external and dangling links
def deep(f):
    base(f)
    g = f
    for _ in range(200):
        g = g.create_group("a")
    g["x"] = np.arange(3)


case("deep_groups", "a/a/a", deep)


def cycle_only(f):
    g = f.create_group("g")
    g["loop"] = g
    g["x"] = np.arange(3)


case("cycle_no_data", "train_data", cycle_only)
case("external_train", "train_data", lambda f: (f.__setitem__("train_data", h5py.ExternalLink("external_target.h5", "/data")),
                                                f.__setitem__("valid_data", counts(10))))
case("dangling_soft", "train_data", lambda f: (f.__setitem__("train_data", h5py.SoftLink("/nowhere")),
                                               f.__setitem__("valid_data", counts(10))))


# 4. data stored outside the file: virtual dataset, external raw storage
def virtual(f):
    layout = h5py.VirtualLayout(shape=(20, 10, 5), dtype="f4")
    layout[:] = h5py.VirtualSource(os.path.join(out, "external_target.h5"), "data", shape=(20, 10, 5))
    f.create_virtual_dataset("train_data", layout)
    f["valid_data"] = counts(10)


case("virtual_train", "train_data", virtual)
raw = os.path.join(out, "raw.bin")
counts(20).tofile(raw)
case("external_raw", "train_data", lambda f: (f.create_dataset("train_data", shape=(20, 10, 5), dtype="f4",
                                                               external=[(raw, 0, 20 * 10 * 5 * 4)]),
                                              f.__setitem__("valid_data", counts(10))))

# 5. wrong dtypes
case("float16", "train_data", lambda f: (f.__setitem__("train_data", counts(20).astype(np.float16)),
                                         f.__setitem__("valid_data", counts(10))))
case("bool", "train_data", lambda f: (f.__setitem__("train_data", counts(20) > 0), f.__setitem__("valid_data", counts(10))))
case("enum", "train_data", lambda f: (f.create_dataset("train_data", data=counts(20).astype(np.int8),
                                                       dtype=h5py.enum_dtype({"a": 0, "b": 1, "c": 2}, basetype="i1")),
                                      f.__setitem__("valid_data", counts(10))))
case("compound", "train_data", lambda f: (f.__setitem__("train_data", np.zeros((20, 10, 5), dtype=[("a", "f4"), ("b", "i4")])),
                                          f.__setitem__("valid_data", counts(10))))
case("strings", "train_data", lambda f: (f.__setitem__("train_data", np.full((20, 10, 5), b"x", dtype="S3")),
                                         f.__setitem__("valid_data", counts(10))))
case("vlen_strings", "train_data", lambda f: (f.create_dataset("train_data", data=np.array([["a"] * 5] * 10, dtype=object),
                                                               dtype=h5py.string_dtype()),
                                              f.__setitem__("valid_data", counts(10))))

# 6. wrong ranks, no trials
case("scalar", "train_data", lambda f: (f.__setitem__("train_data", np.float32(3)), f.__setitem__("valid_data", counts(10))))
case("rank2", "train_data", lambda f: (f.__setitem__("train_data", np.zeros((20, 10), np.float32)),
                                       f.__setitem__("valid_data", counts(10))))
case("rank4", "train_data", lambda f: (f.__setitem__("train_data", np.zeros((20, 10, 5, 2), np.float32)),
                                       f.__setitem__("valid_data", counts(10))))
case("zero_trials", "train_data", lambda f: (f.__setitem__("train_data", np.zeros((0, 10, 5), np.float32)),
                                             f.__setitem__("valid_data", counts(10))))
case("missing_valid", "valid_data", lambda f: base(f, valid=False))

# 7. trial indices
case("inds_out_of_range", "train_inds", lambda f: (base(f), f.__setitem__("train_inds", np.arange(20) - 1)))
case("inds_duplicated", "valid_inds", lambda f: (base(f), f.__setitem__("train_inds", np.arange(20)),
                                                 f.__setitem__("valid_inds", np.array([20, 21, 22, 23, 24, 25, 26, 27, 28, 22]))))
case("inds_fractional", "train_inds", lambda f: (base(f), f.__setitem__("train_inds", np.arange(20) + 0.5)))
case("inds_huge", "train_inds", lambda f: (base(f), f.__setitem__("train_inds", np.arange(20, dtype=np.int64) + 2**62)))
case("inds_wrong_count", "train_inds", lambda f: (base(f), f.__setitem__("train_inds", np.arange(7))))

# 8. truth and latents with wrong shapes
case("truth_shape", "train_truth", lambda f: (base(f), f.__setitem__("train_truth", np.ones((20, 10, 4), np.float32))))
case("truth_rank", "train_truth", lambda f: (base(f), f.__setitem__("train_truth", np.ones((20, 10), np.float32))))
case("latents_trials", "train_latents", lambda f: (base(f), f.__setitem__("train_latents", np.ones((3, 10, 3), np.float32))))
case("latents_time", "train_latents", lambda f: (base(f), f.__setitem__("train_latents", np.ones((20, 7, 3), np.float32))))


# 9. NaN / Inf / huge values
def with_value(key, value, dtype=np.float32):
    def build(f):
        base(f)
        if key in ("train_data",):
            a = counts(20)
            a[0, 0, 0] = value
            del f["train_data"]
            f["train_data"] = a
        elif key.endswith("_truth"):
            a = np.ones((20, 10, 5), np.float32)
            a[1, 2, 3] = value
            f[key] = a
        elif key.endswith("_ext_input"):
            a = np.zeros((20, 10, 2), np.float32)
            a[1, 2, 1] = value
            f[key] = a
            f["valid_ext_input"] = np.zeros((10, 10, 2), np.float32)
        else:
            f[key] = np.array(value, dtype=dtype)
    return build


case("counts_nan", "train_data", with_value("train_data", np.nan))
case("counts_inf", "train_data", with_value("train_data", np.inf))
case("counts_negative", "train_data", with_value("train_data", -3))
case("counts_huge", "train_data", with_value("train_data", 3e30))
case("truth_nan", "train_truth", with_value("train_truth", np.nan))
case("truth_inf", "train_truth", with_value("train_truth", np.inf))
case("truth_huge", "train_truth", with_value("train_truth", 1e30))
case("ext_nan", "train_ext_input", with_value("train_ext_input", np.nan))
case("ext_huge", "train_ext_input", with_value("train_ext_input", 1e30))
case("cf_nan", "conversion_factor", with_value("conversion_factor", np.nan, np.float64))
case("cf_zero", "conversion_factor", with_value("conversion_factor", 0.0, np.float64))
case("cf_negative", "conversion_factor", with_value("conversion_factor", -1.0, np.float64))
case("cf_huge", "conversion_factor", with_value("conversion_factor", 1e300, np.float64))
case("cf_inf", "conversion_factor", with_value("conversion_factor", np.inf, np.float64))
case("cf_vector", "conversion_factor", lambda f: (base(f), f.__setitem__("conversion_factor", np.ones(5))))

# 10. not HDF5 at all, truncated, empty
with open(os.path.join(out, "not_hdf5.h5"), "wb") as fh:
    fh.write(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
cases.append({"name": "not_hdf5", "file": os.path.join(out, "not_hdf5.h5"), "key": "not_hdf5.h5"})
with open(os.path.join(out, "valid.h5"), "rb") as fh:
    whole = fh.read()
with open(os.path.join(out, "truncated.h5"), "wb") as fh:
    fh.write(whole[: len(whole) // 2])
cases.append({"name": "truncated", "file": os.path.join(out, "truncated.h5"), "key": "truncated.h5"})
open(os.path.join(out, "empty.h5"), "wb").close()
cases.append({"name": "empty", "file": os.path.join(out, "empty.h5"), "key": "empty.h5"})

json.dump(cases, sys.stdout)
