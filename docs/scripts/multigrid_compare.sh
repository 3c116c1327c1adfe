#!/usr/bin/env bash
# Trains and evaluates one multi-grid method with the comparison budget of docs/MULTIGRID.md, then
# prints nothing; docs/scripts/multigrid_table.py turns the RUN.eval files into the tables.
# Usage: docs/scripts/multigrid_compare.sh OUTDIR METHOD [extra train flags...]
# (the fast preset is the comparison budget: 3,000 Fashion-MNIST images, 4 epochs, 32 px)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
outdir=$1; m=$2; shift 2
# one intra-op thread: on a shared 2-core machine libtorch's 2 threads wait for each other
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export EBM4J_JAVA_OPTS=${EBM4J_JAVA_OPTS:-"-Xmx8g -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1"}
out="$outdir/mg-$m"
/usr/bin/time -f "%e s wall" "$ROOT/ebm4j" multigrid train --method "$m" --out "$out" --quiet "$@" > "$out.out" 2> "$out.err"
for k in square doodle pepper; do "$ROOT/ebm4j" multigrid inpaint --run "$out" --mask $k --n 500 --out "$out/inpaint-$k" >> "$out.eval"; done
"$ROOT/ebm4j" multigrid scores --run "$out" --negative mnist --n 500 >> "$out.eval"
sup=""; [ "$m" = mcd ] && sup=--supervised
for l in 1000 2000 4000; do "$ROOT/ebm4j" multigrid features --run "$out" --labels $l --epochs 30 --test 5000 $sup >> "$out.eval"; done
