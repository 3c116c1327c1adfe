#!/usr/bin/env bash
# The samples figure of docs/MULTIGRID.md, "Four methods, three seeds (fast-eq8)": one row per
# method, the first 16 of the 1,000 samples from scratch that multigrid_seeds.sh drew for FID
# (multigrid sample --seed 1) of the seed-S run, 32x32 shown at 2x. Needs ImageMagick.
# usage: docs/scripts/multigrid_seeds_figure.sh RUNS_DIR OUT.png [seed]   (default seed: 1)
set -euo pipefail
runs=${1:?usage: $0 RUNS_DIR OUT.png [seed]}; out=${2:?usage: $0 RUNS_DIR OUT.png [seed]}; s=${3:-1}
methods=${METHODS:-mcd single-grid cd1 pcd-batch pcd}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
rows=()
for m in $methods; do
  d="$runs/s$s-$m/samples1000"
  [ -f "$d/sample_015.png" ] || { echo "skipping $m: no $d/sample_015.png" >&2; continue; }
  montage $(for i in $(seq 0 15); do printf '%s/sample_%03d.png ' "$d" $i; done) \
    -tile 16x1 -geometry 64x64+2+2 -filter point -background white "$tmp/row-$m.png"
  convert -background white -fill black -font DejaVu-Sans -pointsize 15 -size 120x68 -gravity center \
    label:"$m" "$tmp/label-$m.png"
  convert "$tmp/label-$m.png" "$tmp/row-$m.png" +append +repage "$tmp/lrow-$m.png"
  rows+=("$tmp/lrow-$m.png")
done
convert "${rows[@]}" -append +repage "$out"
echo "wrote $out"
