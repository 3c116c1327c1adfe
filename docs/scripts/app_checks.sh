#!/usr/bin/env bash
# Harmonization and super-resolution checks of docs/PATCHGENCN.md on a trained run (chelsea).
# Usage: docs/scripts/app_checks.sh RUN WORKDIR   (WORKDIR must not exist; RUN is only read)
# Harmonize: a flat blue 15x15 square pasted on the finest-scale training image, start scales 1..3;
#   prints the mean absolute difference (8-bit) inside the square between the output and the
#   pasted image, and between the output and the original.
# Super-resolution x2: the finest-scale image downsized by 2 (PIL bicubic, 28x19 for chelsea),
#   then `patchgen super-resolve --factor 2`; prints the MSE (8-bit) of sr.png and bicubic.png
#   against the original resized to their size (56x38, as round(2*19) = 38).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
/usr/bin/python3 -c "import PIL" 2>/dev/null || { echo "$0: needs Pillow for /usr/bin/python3 (apt-get install python3-pil)" >&2; exit 2; }
run=$1; work=$2
mkdir "$work"
last=$(ls "$run"/images/real_scale_*.png | sed 's/.*real_scale_\([0-9]*\).png/\1/' | sort -n | tail -1)
real="$run/images/real_scale_$last.png"
/usr/bin/python3 - "$real" "$work" <<'PY'
import sys
from PIL import Image
real, work = sys.argv[1:3]
R = Image.open(real).convert('RGB'); w, h = R.size
x0, y0 = w // 2 - 7, h // 2 - 7
P = R.copy(); P.paste((40, 60, 200), (x0, y0, x0 + 15, y0 + 15)); P.save(f'{work}/pasted.png')
M = Image.new('L', (w, h), 0); M.paste(255, (x0, y0, x0 + 15, y0 + 15)); M.save(f'{work}/mask.png')
R.resize(((w + 1) // 2, (h + 1) // 2), Image.BICUBIC).save(f'{work}/lr.png')
open(f'{work}/box', 'w').write(f'{x0} {y0}')
PY
for s in 1 2 3; do
  "$ROOT/ebm4j" patchgen harmonize --run "$run" --ref "$work/pasted.png" --mask "$work/mask.png" \
      --start-scale $s --out "$work/harm$s" --quiet >/dev/null
done
"$ROOT/ebm4j" patchgen super-resolve --run "$run" --image "$work/lr.png" --factor 2 --out "$work/sr" --quiet
/usr/bin/python3 - "$real" "$work" <<'PY'
import sys
from PIL import Image
real, work = sys.argv[1:3]
x0, y0 = map(int, open(f'{work}/box').read().split())
box = (x0, y0, x0 + 15, y0 + 15)
def px(img): return list(img.convert('RGB').crop(box).getdata())
def mad(a, b): return sum(abs(p - q) for u, v in zip(a, b) for p, q in zip(u, v)) / (3 * len(a))
orig, pasted = px(Image.open(real)), px(Image.open(f'{work}/pasted.png'))
for s in (1, 2, 3):
    for f in ('raw', 'blended'):
        o = px(Image.open(f'{work}/harm{s}/{f}.png'))
        print(f'harmonize start {s} {f}: |out-pasted| {mad(o, pasted):.1f}  |out-original| {mad(o, orig):.1f}  '
              f'(|pasted-original| {mad(pasted, orig):.1f})')
def mse(a, b): return sum((p - q) ** 2 for u, v in zip(a.getdata(), b.getdata()) for p, q in zip(u, v)) / (3 * a.size[0] * a.size[1])
sr, bic = Image.open(f'{work}/sr/sr.png').convert('RGB'), Image.open(f'{work}/sr/bicubic.png').convert('RGB')
ref = Image.open(real).convert('RGB').resize(sr.size, Image.BICUBIC)
print(f'super-resolve x2 {sr.size}: MSE sr {mse(sr, ref):.0f}  MSE bicubic {mse(bic, ref):.0f}')
PY
