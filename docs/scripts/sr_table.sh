#!/usr/bin/env bash
# Super-resolution against bicubic, the protocol of docs/PATCHGENCN.md ("Super-resolution, official protocol").
# Usage: docs/scripts/sr_table.sh RUN WORKDIR [FACTOR=2] [NET_SCALE]   (WORKDIR must not exist; RUN is only read)
# 1. the run's finest-scale training image, downsized by FACTOR (PIL bicubic) = the low-resolution input;
# 2. `patchgen super-resolve --factor FACTOR` (official exps/sr_exp.py: floor(log FACTOR / log 1/r) steps of
#    x1/r, the last one to exactly FACTOR x, each followed by stepsRec noise-free Langevin steps of one net);
# 3. MSE (8-bit), PSNR and SSIM (eval inpainting with an all-missing mask = the whole image) of sr.png and of
#    bicubic.png against the training image resized (bicubic) to their size. Prints one line per image.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
/usr/bin/python3 -c "import PIL" 2>/dev/null || { echo "$0: needs Pillow for /usr/bin/python3 (apt-get install python3-pil)" >&2; exit 2; }
run=$1; work=$2; factor=${3:-2}; net=${4:-}
mkdir "$work" "$work/truth" "$work/sr-out" "$work/bicubic-out" "$work/mask"
last=$(ls "$run"/images/real_scale_*.png | sed 's/.*real_scale_\([0-9]*\).png/\1/' | sort -n | tail -1)
real="$run/images/real_scale_$last.png"
/usr/bin/python3 - "$real" "$work" "$factor" <<'PY'
import sys
from PIL import Image
real, work, f = sys.argv[1], sys.argv[2], float(sys.argv[3])
R = Image.open(real).convert('RGB'); w, h = R.size
R.resize((max(1, round(w / f)), max(1, round(h / f))), Image.BICUBIC).save(f'{work}/lr.png')
PY
"$ROOT/ebm4j" patchgen super-resolve --run "$run" --image "$work/lr.png" --factor "$factor" ${net:+--net-scale $net} --out "$work/sr" --quiet
/usr/bin/python3 - "$real" "$work" <<'PY'
import sys
from PIL import Image
real, work = sys.argv[1:3]
sr = Image.open(f'{work}/sr/sr.png').convert('RGB')
Image.open(real).convert('RGB').resize(sr.size, Image.BICUBIC).save(f'{work}/truth/x.png')
sr.save(f'{work}/sr-out/x.png')
Image.open(f'{work}/sr/bicubic.png').convert('RGB').save(f'{work}/bicubic-out/x.png')
Image.new('L', sr.size, 255).save(f'{work}/mask/x.png')
def mse(a, b): return sum((p - q) ** 2 for u, v in zip(a.getdata(), b.getdata()) for p, q in zip(u, v)) / (3 * a.size[0] * a.size[1])
t = Image.open(f'{work}/truth/x.png')
open(f'{work}/mse', 'w').write(f'{mse(sr, t):.1f} {mse(Image.open(f"{work}/bicubic-out/x.png"), t):.1f}\n')
PY
read m_sr m_bic < "$work/mse"
for k in sr bicubic; do
  m=$m_sr; [ $k = bicubic ] && m=$m_bic
  j=$("$ROOT/ebm4j" eval inpainting --truth "$work/truth" --result "$work/$k-out" --mask "$work/mask")
  echo "$k mse8=$m $j"
done
