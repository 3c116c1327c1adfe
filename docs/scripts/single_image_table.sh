#!/usr/bin/env bash
# Builds the single-image comparison table of docs/PATCHGENCN.md from trained fast-preset runs.
# Usage: docs/scripts/single_image_table.sh RUN [RUN ...]   (each RUN trained with `patchgen train`)
# For each run: 8 PatchGenCN samples (seed 1), 8 bicubic-upsampled noise images (the scale-0
# grey uniform noise, upsampled to the finest size: what the sampler starts from), and the
# training image itself (the floor: 0 by construction), all scored against RUN/images/real_scale_K.png.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
/usr/bin/python3 -c "import PIL" 2>/dev/null || { echo "$0: needs Pillow for /usr/bin/python3 (apt-get install python3-pil)" >&2; exit 2; }
for run in "$@"; do
  last=$(ls "$run"/images/real_scale_*.png | sed 's/.*real_scale_\([0-9]*\).png/\1/' | sort -n | tail -1)
  real="$run/images/real_scale_$last.png"
  work=$(mktemp -d)
  "$ROOT/ebm4j" patchgen sample --run "$run" --out "$work/samples" --n 8 --seed 1 --quiet >/dev/null
  rm -f "$work/samples/grid.png"
  /usr/bin/python3 - "$real" "$run/images/real_scale_0.png" "$work/noise" "$work/self" <<'PY'
import sys, os, random
from PIL import Image
real, coarse, noise_dir, self_dir = sys.argv[1:5]
R = Image.open(real); C = Image.open(coarse)
os.makedirs(noise_dir); os.makedirs(self_dir)
rng = random.Random(1)
for i in range(8):
    g = Image.new('L', C.size)
    g.putdata([rng.randrange(256) for _ in range(C.size[0] * C.size[1])])
    g.convert('RGB').resize(R.size, Image.BICUBIC).save(f'{noise_dir}/noise_{i}.png')
R.convert('RGB').save(f'{self_dir}/self.png')
PY
  for kind in samples noise self; do
    printf '%s\t%s\t' "$(basename "$run")" "$kind"
    "$ROOT/ebm4j" eval single-image --real "$real" --fake "$work/$kind" --seed 1
  done
  rm -rf "$work"
done
