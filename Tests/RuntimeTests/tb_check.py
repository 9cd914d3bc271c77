"""Reads TensorBoard event files with TensorBoard's own EventAccumulator and compares them with
the CSV logs they mirror. Prints one JSON summary on success; exits 1 with the mismatches otherwise.

  tb_check.py train OUT_DIR            train_log.csv vs OUT_DIR's events
  tb_check.py run RUN_DIR METRIC       workers/w*/g*/metrics.csv and hp_log.csv vs workers/w*/ events
"""
import csv, glob, json, math, os, sys
from tensorboard.backend.event_processing import event_accumulator

# CSV column -> TensorBoard tag, as documented in docs/RUNTIME.md (written out here independently).
TAGS = {"train_recon": "train/recon", "valid_recon": "valid/recon", "valid_recon_sv": "valid/recon_sv",
        "valid_recon_smth": "valid/recon_smth", "train_kl_ic": "train/kl_ic", "train_kl_co": "train/kl_co",
        "train_l2": "train/l2", "ramp_kl": "train/ramp_kl", "ramp_l2": "train/ramp_l2", "lr": "train/lr",
        "grad_norm": "train/grad_norm", "grad_norm_max": "train/grad_norm_max",
        "score": "train/score"}   # the toy objective's metrics.csv
NOT_LOGGED = {"epoch", "seconds"}
problems = []


def load(directory):
    acc = event_accumulator.EventAccumulator(directory, size_guidance={event_accumulator.SCALARS: 0})
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-30)


def compare(where, got, expected):
    """expected: tag -> {step: value}; every tag and step present exactly once, values equal."""
    if set(got) != set(expected):
        problems.append(f"{where}: tags {sorted(got)} != expected {sorted(expected)}")
    for tag, want in expected.items():
        events = got.get(tag, [])
        steps = [s for s, _ in events]
        if sorted(steps) != sorted(want):
            problems.append(f"{where} {tag}: steps {steps} != {sorted(want)}")
            continue
        for step, value in events:
            if not close(value, want[step]):
                problems.append(f"{where} {tag} step {step}: {value} != csv {want[step]}")


def csv_scalars(path, into):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        for column, text in row.items():
            if column in NOT_LOGGED or text in ("", None):
                continue
            if column not in TAGS:
                problems.append(f"{path}: column {column} has no TensorBoard tag")
                continue
            into.setdefault(TAGS[column], {})[int(row["epoch"])] = float(text)
    return len(rows)


def main():
    mode, directory = sys.argv[1], sys.argv[2]
    summary = {"runs": 0, "tags": 0, "points": 0}
    if mode == "train":
        expected = {}
        csv_scalars(os.path.join(directory, "train_log.csv"), expected)
        got = load(directory)
        compare(directory, got, expected)
        summary.update(runs=1, tags=len(got), points=sum(len(v) for v in got.values()), tag_names=sorted(got))
    else:
        metric = sys.argv[3]
        with open(os.path.join(directory, "hp_log.csv")) as f:
            hp_rows = list(csv.DictReader(f))
        for wdir in sorted(glob.glob(os.path.join(directory, "workers", "w*"))):
            worker = int(os.path.basename(wdir)[1:])
            expected = {}
            for mpath in sorted(glob.glob(os.path.join(wdir, "g*", "metrics.csv"))):
                csv_scalars(mpath, expected)
            for row in hp_rows:
                if int(row["worker"]) != worker:
                    continue
                g = int(row["generation"])
                for name, text in row.items():
                    if name in ("generation", "worker"):
                        continue
                    if name == "score":
                        if text != "nan":
                            expected.setdefault(f"pbt/{metric}", {})[g] = float(text)
                    else:
                        expected.setdefault(f"hp/{name}", {})[g] = float(text)
            got = load(wdir)
            compare(wdir, got, expected)
            summary["runs"] += 1
            summary["tags"] = max(summary["tags"], len(got))
            summary["points"] += sum(len(v) for v in got.values())
            summary["tag_names"] = sorted(got)
    if problems:
        print("\n".join(problems[:40]), file=sys.stderr)
        sys.exit(1)
    print(json.dumps(summary))


main()
