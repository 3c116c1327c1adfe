#!/usr/bin/env bash
# The T^x / T^z step sweep of docs/DUALMCMC.md (the paper's Tables 4-5 at CPU scale): the fast
# preset trained with T^x steps 0, 10, 30 (T^z 10) and T^z steps 0, 10, 30 (T^x 10), each run then
# evaluated for FID-FMNIST of G(z) and of the revised samples and reconstruction MSE; one JSON line
# per run with the median milliseconds per training iteration from its log.
# Usage: scripts/dualmcmc-sweep.sh DIR [N] [SEED]   (runs go to DIR/x{X}-z{Z}-s{SEED}; existing runs are
# reused). SWEEP="0 10,30 10" runs only those "xSteps zSteps" pairs (e.g. to split the sweep over two
# processes).
set -euo pipefail
dir=${1:?usage: dualmcmc-sweep.sh DIR [N] [SEED]}
n=${2:-1000}
seed=${3:-1234}
e="$(cd "$(dirname "$0")/.." && pwd)/ebm4j"
mkdir -p "$dir"
IFS=, read -r -a pairs <<< "${SWEEP:-10 10,0 10,30 10,10 0,10 30}"
for xz in "${pairs[@]}"; do
  set -- $xz
  r="$dir/x$1-z$2-s$seed"
  if [ ! -f "$r/checkpoints/latest.ckpt" ] || ! grep -q '"iter":249' "$r/log.jsonl" 2>/dev/null; then
    if [ -d "$r" ]; then
      "$e" dualmcmc train --resume --out "$r" --progress none
    else
      "$e" dualmcmc train --preset fast --set chains.xSteps=$1 --set chains.zSteps=$2 --set seed=$seed \
          --out "$r" --progress none
    fi
  fi
  ev="$r/eval"
  if [ ! -f "$ev/rec/reconstruction.json" ]; then
    rm -rf "$ev"
    "$e" dualmcmc sample --run "$r" --out "$ev/samples" --n "$n" --seed 1 --quiet
    "$e" eval fid --real fashion-mnist:test --fake "$ev/samples/generated" --n "$n" > "$ev/fid_generated.json"
    "$e" eval fid --real fashion-mnist:test --fake "$ev/samples/revised" --n "$n" > "$ev/fid_revised.json"
    "$e" dualmcmc reconstruct --run "$r" --out "$ev/rec" --n "$n" --seed 1 --quiet
  fi
  python3 - "$r" "$1" "$2" <<'PY'
import json, statistics, sys
r, x, z = sys.argv[1:]
rows = [json.loads(l) for l in open(r + "/log.jsonl") if l.strip()]
ms = statistics.median(row["ms_per_iter"] for row in rows if "ms_per_iter" in row)
g = json.load(open(r + "/eval/fid_generated.json")); v = json.load(open(r + "/eval/fid_revised.json"))
rec = json.load(open(r + "/eval/rec/reconstruction.json"))
print(json.dumps({"run": r, "x_steps": int(x), "z_steps": int(z), "ms_per_iter": ms,
                  "fid_generated": g["fid"], "fid_revised": v["fid"], "fid_floor": g["floor"], "reconstruction": rec}))
PY
done
