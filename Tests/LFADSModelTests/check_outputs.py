"""Independent h5py check of an lfads_output_*.h5 file (tests only).

usage: check_outputs.py INPUT.h5 OUTPUT.h5
Fails if any input dataset is missing or differs in the output; prints JSON
{key: {"shape": [...], "sum": float, "min": float}} for every output dataset not in the input.
"""
import json
import sys

import h5py
import numpy as np

inp, out = sys.argv[1], sys.argv[2]
with h5py.File(inp, "r") as fi, h5py.File(out, "r") as fo:
    for key in fi.keys():
        if key not in fo:
            sys.exit(f"{key} missing from the output")
        if not np.array_equal(np.asarray(fi[key][()]), np.asarray(fo[key][()])):
            sys.exit(f"{key} differs between input and output")
    result = {}
    for key in fo.keys():
        if key in fi:
            continue
        a = np.asarray(fo[key][()], dtype=np.float64)
        result[key] = {"shape": list(a.shape), "sum": float(a.sum()), "min": float(a.min())}
    print(json.dumps(result))
