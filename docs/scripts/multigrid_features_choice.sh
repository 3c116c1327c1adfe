#!/usr/bin/env bash
# The classifier settings of the learned-feature comparison (docs/MULTIGRID.md), chosen on
# validation images instead of the test split: for every run of a multigrid_seeds.sh folder,
# 'multigrid features --split val' (1,000 labelled training images; 5,000 other training images to
# measure the error on) with standardised features and 30 epochs (what the comparison uses), raw
# features and 30 epochs, and standardised features with 60 epochs (the command's default).
# Writes RUN/features-val-{std30,raw30,std60}.json and prints one TSV line per run and setting.
#
# usage: docs/scripts/multigrid_features_choice.sh RUNS_DIR [run-name ...]   (default: every s*-* run)
# env:   EBM4J (launcher, default ./ebm4j of this checkout)
set -euo pipefail
. "$(dirname "$0")/single_thread_env.sh"
runs=${1:?usage: $0 RUNS_DIR [run-name ...]}
shift
names=${*:-$(cd "$runs" && ls -d s*-* | grep -v '\.' )}
for n in $names; do
  r="$runs/$n"
  [ -f "$r/checkpoints/latest.ckpt" ] || { echo "$n: not trained, skipped" >&2; continue; }
  for setting in std30 raw30 std60; do
    out="$r/features-val-$setting.json"
    if [ ! -f "$out" ]; then
      case $setting in
        std30) how="--epochs 30 --standardize" ;;
        raw30) how="--epochs 30 --no-standardize" ;;
        std60) how="--epochs 60 --standardize" ;;
      esac
      "$E" multigrid features --run "$r" --split val --labels 1000 --test 5000 $how --threads 1 --quiet > "$out.tmp"
      mv "$out.tmp" "$out"
    fi
    python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); print("%s\t%s\t%.4f" % (sys.argv[2], sys.argv[3], o["test_error"]))' "$out" "$n" "$setting"
  done
done
