#!/usr/bin/env bash
# fast-eq8's delta chosen without the test split: mcd under --preset fast-eq8 with delta 0.1, 0.05
# and 0.02 (the preset's value), one seed each, 1,000 samples from scratch, FID-FMNIST against
# 1,000 Fashion-MNIST *training* images (eval fid --real fashion-mnist:train --n 1000, a seeded
# subset of the 60,000; about 5 % of them are among the 3,000 the models trained on) instead of
# the test images.
# usage: docs/scripts/multigrid_delta_choice.sh RUNS_DIR [seed]     (default seed 1)
# env:   EBM4J (launcher, default ./ebm4j of this checkout)
set -euo pipefail
. "$(dirname "$0")/single_thread_env.sh"
runs=${1:?usage: $0 RUNS_DIR [seed]}
seed=${2:-1}
mkdir -p "$runs"
for d in 0.1 0.05 0.02; do
  r="$runs/delta$d-s$seed"
  if [ ! -f "$r/checkpoints/latest.ckpt" ] || [ -f "$r/checkpoints/partial.ckpt" ]; then
    if [ -f "$r/config.json" ]; then
      "$E" multigrid train --out "$r" --resume --threads 1 --progress lines >> "$r.train.log" 2>&1
    else
      "$E" multigrid train --preset fast-eq8 --delta $d --seed "$seed" --out "$r" --threads 1 --progress lines >> "$r.train.log" 2>&1
    fi
  fi
  if [ ! -f "$r/fid-val.json" ]; then
    rm -rf "$r/samples1000"
    "$E" multigrid sample --run "$r" --out "$r/samples1000" --n 1000 --seed 1 --threads 1 --quiet > /dev/null
    mkdir -p "$r/samples1000-extra"
    for f in grid.png chain.png start.png; do
      if [ -f "$r/samples1000/$f" ]; then mv "$r/samples1000/$f" "$r/samples1000-extra/"; fi
    done
    "$E" eval fid --real fashion-mnist:train --fake "$r/samples1000" --n 1000 --threads 1 > "$r/fid-val.json.tmp"
    mv "$r/fid-val.json.tmp" "$r/fid-val.json"
  fi
  python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); print("delta %s\tFID vs fashion-mnist:train %.1f" % (sys.argv[2], o["fid"]))' "$r/fid-val.json" "$d"
done
