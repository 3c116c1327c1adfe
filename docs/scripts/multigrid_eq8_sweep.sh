#!/bin/bash
# Eq. 8 with its noise term at the fast budget (docs/MULTIGRID.md, "Eq. 8 with its noise term"):
# for each delta, train mcd with the delta*U term on and sigma 1, draw 64 samples from scratch for
# looking at and 1,000 for FID-FMNIST against the Fashion-MNIST test images.
# usage: docs/scripts/multigrid_eq8_sweep.sh RUNS_DIR [delta ...]   (default deltas: 0.1 0.05 0.02)
# One run took 10-13 min on the shared 2-core machine (one libtorch thread).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
E="$here/ebm4j"
runs=${1:?usage: $0 RUNS_DIR [delta ...]}
shift
deltas=${*:-0.1 0.05 0.02}
mkdir -p "$runs"
for d in $deltas; do
  r="$runs/eq8-d$d"
  [ -f "$r/fid.json" ] && continue
  "$E" multigrid train --noise --delta "$d" --sigma 1 --out "$r" --progress lines --threads 1
  "$E" multigrid sample --run "$r" --out "$r/samples" --n 64 --seed 1 --threads 1 --quiet
  "$E" multigrid sample --run "$r" --out "$r/samples1000" --n 1000 --seed 1 --threads 1 --quiet
  "$E" eval fid --real fashion-mnist:test --fake "$r/samples1000" --n 1000 --threads 1 > "$r/fid.json"
  echo "delta $d: $(cat "$r/fid.json")"
done
