#!/usr/bin/env python3
"""Mean ± sd over seeds of the single-image table (docs/PATCHGENCN.md, "three seeds per image").

usage: docs/scripts/single_image_seeds_table.py TABLE.tsv [TABLE.tsv ...]

Each TABLE.tsv is the output of docs/scripts/single_image_table.sh (run name, kind, the JSON of
`eval single-image`). Runs are grouped by their name without a trailing "-s<seed>" (cat-s1,
cat-s2, cat-s3 -> cat); the "samples" rows give mean ± sd (n - 1) over the group's runs of the
per-run means of patch-FD and SWD and of the diversity; the "noise" baseline is listed once per
group (it does not depend on the run's seed). Standard library only.
"""
import json
import re
import statistics
import sys


def main(paths):
    if not paths:
        sys.exit(__doc__.strip().splitlines()[2])
    groups = {}
    noise = {}
    for p in paths:
        with open(p) as f:
            for line in f:
                if not line.strip():
                    continue
                name, kind, js = line.rstrip("\n").split("\t", 2)
                d = json.loads(js)
                key = re.sub(r"-s\d+$", "", name)
                if kind == "samples":
                    groups.setdefault(key, []).append(
                        (name, d["patch_fd"]["mean"], d["swd"]["mean"], d["diversity"]))
                elif kind == "noise":
                    noise[key] = (d["patch_fd"]["mean"], d["swd"]["mean"], d["diversity"])

    def ms(v, digits):
        if len(v) < 2:
            return f"{v[0]:.{digits}f}"
        return f"{statistics.mean(v):.{digits}f} ± {statistics.stdev(v):.{digits}f}"

    print("| image | runs | patch-FD ↓ | SWD (×10³) ↓ | diversity |")
    print("|---|---|---:|---:|---:|")
    for key in sorted(groups):
        rows = sorted(groups[key])
        names = ", ".join(r[0] for r in rows)
        print(f"| {key} | {len(rows)} ({names}) | {ms([r[1] for r in rows], 2)} | "
              f"{ms([r[2] for r in rows], 1)} | {ms([r[3] for r in rows], 2)} |")
        if key in noise:
            n = noise[key]
            print(f"| {key}: bicubic-upsampled noise | 1 | {n[0]:.2f} | {n[1]:.1f} | {n[2]:.2f} |")
    print()
    print("| run | patch-FD | SWD (×10³) | diversity |")
    print("|---|---:|---:|---:|")
    for key in sorted(groups):
        for r in sorted(groups[key]):
            print(f"| {r[0]} | {r[1]:.2f} | {r[2]:.1f} | {r[3]:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
