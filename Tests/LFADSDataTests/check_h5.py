"""Independent h5py checker used by the Swift tests (never by the product).

  check_h5.py describe FILE        -> JSON {key: {shape, dtype, sum, first}} + root attrs
  check_h5.py write-original FILE  -> writes a small original-convention LFADS file
  check_h5.py write-torch FILE     -> writes a small lfads-torch-convention file
"""
import json
import sys

import h5py
import numpy as np


def describe(path):
    out = {"datasets": {}, "attrs": {}}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                if obj.dtype.kind in "iuf":
                    a = np.asarray(obj[()], dtype=np.float64)
                    out["datasets"][name] = {
                        "shape": list(obj.shape), "dtype": str(obj.dtype),
                        "sum": float(np.nansum(a)), "first": float(a.reshape(-1)[0]) if a.size else None,
                        "compression": obj.compression}
                else:
                    v = obj[()]
                    out["datasets"][name] = {"shape": list(obj.shape), "dtype": "string",
                                             "value": v.decode() if isinstance(v, bytes) else str(v)}
        f.visititems(visit)
        for k, v in f.attrs.items():
            out["attrs"][k] = v.decode() if isinstance(v, bytes) else str(v)
    print(json.dumps(out, sort_keys=True))


def counts(shape, offset):
    return (np.arange(np.prod(shape)).reshape(shape) + offset) % 4


def write_original(path):
    with h5py.File(path, "w") as f:
        f["train_data"] = counts((6, 5, 3), 0).astype(np.int16)
        f["valid_data"] = counts((2, 5, 3), 1).astype(np.int16)
        f["train_ext_input"] = np.linspace(0, 1, 6 * 5 * 2).reshape(6, 5, 2).astype(np.float32)
        f["valid_ext_input"] = np.linspace(1, 2, 2 * 5 * 2).reshape(2, 5, 2).astype(np.float32)
        f["train_truth"] = np.full((6, 5, 3), 2.0)
        f["valid_truth"] = np.full((2, 5, 3), 4.0)
        f["conversion_factor"] = 8.0
        f["train_inds"] = np.arange(6) + 1
        f["valid_inds"] = np.array([7, 8])
        f["train_latents"] = np.ones((6, 5, 2), dtype=np.float32)
        f["valid_latents"] = np.zeros((2, 5, 2), dtype=np.float32)
        f["dt"] = 0.01


def write_torch(path):
    with h5py.File(path, "w") as f:
        f["train_encod_data"] = counts((4, 6, 3), 0).astype(np.float32)
        f["valid_encod_data"] = counts((2, 6, 3), 2).astype(np.float32)
        f["test_encod_data"] = counts((1, 6, 3), 3).astype(np.float32)
        f["train_recon_data"] = counts((4, 8, 5), 0).astype(np.float32)
        f["valid_recon_data"] = counts((2, 8, 5), 1).astype(np.float32)
        f["train_behavior"] = np.arange(4 * 8 * 2, dtype=np.float64).reshape(4, 8, 2)
        f["valid_behavior"] = np.arange(2 * 8 * 2, dtype=np.float64).reshape(2, 8, 2)
        f["psth"] = np.ones((3, 8, 5))
        f["train_cond_idx"] = np.array([0, 1, 2, 0], dtype=np.int64)


if __name__ == "__main__":
    cmd, path = sys.argv[1], sys.argv[2]
    {"describe": describe, "write-original": write_original, "write-torch": write_torch}[cmd](path)
