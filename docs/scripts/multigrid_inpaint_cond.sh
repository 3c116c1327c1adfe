#!/usr/bin/env bash
# Conditional (--inpaint) against unconditional mcd training for inpainting (paper section 7.4
# trains conditionally), several seeds: for each seed, 'multigrid train --preset fast-eq8 --inpaint'
# into RUNS_DIR/s<S>-mcd-inpaint beside the unconditional RUNS_DIR/s<S>-mcd of multigrid_seeds.sh
# (trained here if missing), then both inpaint the same 500 test images with the random-square,
# doodle and pepper masks (coarse rule any). Prints one TSV line per seed, model and mask; the
# outputs are RUN/inpaint-<mask>/inpaint.json. Steps whose output exists are skipped.
# usage: docs/scripts/multigrid_inpaint_cond.sh RUNS_DIR [seed ...]      (default seeds: 1 2 3)
# env:   EBM4J (launcher, default ./ebm4j of this checkout)
set -euo pipefail
. "$(dirname "$0")/single_thread_env.sh"
runs=${1:?usage: $0 RUNS_DIR [seed ...]}
shift
seeds=${*:-1 2 3}
mkdir -p "$runs"
train() { # run extra-args...
  local r=$1; shift
  if [ -f "$r/checkpoints/latest.ckpt" ] && [ ! -f "$r/checkpoints/partial.ckpt" ] && [ -f "$r/samples/grid.png" ]; then return; fi
  if [ -f "$r/config.json" ]; then
    "$E" multigrid train --out "$r" --resume --threads 1 --progress lines >> "$r.train.log" 2>&1
  else
    "$E" multigrid train --preset fast-eq8 "$@" --out "$r" --threads 1 --progress lines >> "$r.train.log" 2>&1
  fi
}
for s in $seeds; do
  train "$runs/s$s-mcd" --method mcd --seed "$s"
  train "$runs/s$s-mcd-inpaint" --method mcd --inpaint --seed "$s"
  for r in "$runs/s$s-mcd" "$runs/s$s-mcd-inpaint"; do
    for k in random-square doodle pepper; do
      if [ ! -f "$r/inpaint-$k/inpaint.json" ]; then
        rm -rf "$r/inpaint-$k"
        "$E" multigrid inpaint --run "$r" --mask $k --n 500 --out "$r/inpaint-$k" --threads 1 --quiet > /dev/null
      fi
      python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); print("%s\t%s\t%s\t%.4f\t%.2f" % (sys.argv[2], sys.argv[3], sys.argv[4], o["error"], o["psnr"]))' \
        "$r/inpaint-$k/inpaint.json" "$s" "$(basename "$r")" "$k"
    done
  done
done
