#!/usr/bin/env bash
# The three-seed table of docs/PATCHGENCN.md ("The quality preset, three seeds per image"): trains
# `patchgen train --preset quality` on the cat (--min-size 16, as its seed-1 run), the balloons and
# the starry night for each seed, then writes each run's single-image table and the mean ± sd table.
# About 35-65 min per run on one core; an interrupted run resumes (--resume), a finished one
# (report.html written) is skipped, and so is a table already written.
# usage: docs/scripts/patchgen_quality_seeds.sh RUNS_DIR [seed ...]     (default seeds: 1 2 3)
# env: IMAGES (default: cat balloons starry), CAT_ARGS (default "--min-size 16", the three-seed table's;
#   "--min-size 12 --scales 6" for the smaller coarsest scale that keeps the face), IMG_DIR (default examples/; the
#   balloons and the starry night are SinGAN's Input/Images/balloons.png and starry_night.png, saved
#   there as singan_balloons.png and singan_starry_night.png)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/docs/scripts/single_thread_env.sh"   # E and one libtorch thread per job
runs=${1:?usage: $0 RUNS_DIR [seed ...]}; shift
seeds=${*:-1 2 3}
images=${IMAGES:-cat balloons starry}
img_dir=${IMG_DIR:-$ROOT/examples}
mkdir -p "$runs/tables"
for s in $seeds; do
  for img in $images; do
    case $img in
      cat) file=skimage_chelsea.png; read -r -a extra <<< "${CAT_ARGS:---min-size 16}" ;;
      balloons) file=singan_balloons.png; extra=() ;;
      starry) file=singan_starry_night.png; extra=() ;;
      *) echo "$0: unknown image $img (cat, balloons or starry)" >&2; exit 2 ;;
    esac
    [ -f "$img_dir/$file" ] || { echo "$0: no $img_dir/$file (set IMG_DIR)" >&2; exit 2; }
    run="$runs/$img-s$s"
    if [ ! -f "$run/report.html" ]; then
      resume=(); [ -f "$run/config.json" ] && resume=(--resume)
      echo "train $img seed $s ($(date -u +%H:%M:%S))"
      $E patchgen train --preset quality --image "$img_dir/$file" --seed "$s" "${extra[@]}" \
        --progress lines "${resume[@]}" --out "$run" > "$run.log" 2>&1
    fi
    if [ ! -f "$runs/tables/$img-s$s.tsv" ]; then
      "$ROOT/docs/scripts/single_image_table.sh" "$run" > "$runs/tables/$img-s$s.tsv.tmp"
      mv "$runs/tables/$img-s$s.tsv.tmp" "$runs/tables/$img-s$s.tsv"
    fi
  done
done
"$ROOT/docs/scripts/single_image_seeds_table.py" "$runs"/tables/*.tsv
