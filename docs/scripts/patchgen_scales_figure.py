#!/usr/bin/python3
"""One figure per PatchGenCN run folder: a row per scale (coarse at the top) with the training image,
the last synthesis and the last recovery of training (RUN/images), each enlarged (nearest
neighbour) to a common height; runs side by side with a gap, labelled by folder name.
Usage: patchgen_scales_figure.py OUT.png RUN [RUN ...]   (needs Pillow)"""
import glob, os, re, sys
from PIL import Image, ImageDraw

H = 96  # height of one cell

def last(d, kind):
    fs = sorted(glob.glob(os.path.join(d, kind + '_*.png')))
    return fs[-1] if fs else None

def cell(path):
    if path is None:
        return Image.new('RGB', (H, H), (255, 255, 255))
    im = Image.open(path).convert('RGB')
    return im.resize((max(1, round(im.width * H / im.height)), H), Image.NEAREST)

out, runs = sys.argv[1], sys.argv[2:]
cols = []
for run in runs:
    scales = sorted(int(m.group(1)) for f in os.listdir(os.path.join(run, 'images'))
                    for m in [re.match(r'real_scale_(\d+)\.png$', f)] if m)
    rows = []
    for s in scales:
        d = os.path.join(run, 'images', 'scale_%d' % s)
        cells = [cell(os.path.join(run, 'images', 'real_scale_%d.png' % s)), cell(last(d, 'syn')), cell(last(d, 'rec'))]
        w = sum(c.width for c in cells) + 4 * (len(cells) - 1)
        row = Image.new('RGB', (w, H), (255, 255, 255))
        x = 0
        for c in cells:
            row.paste(c, (x, 0)); x += c.width + 4
        rows.append(row)
    w = max(r.width for r in rows)
    col = Image.new('RGB', (w, 16 + len(rows) * (H + 4)), (255, 255, 255))
    ImageDraw.Draw(col).text((2, 2), os.path.basename(run.rstrip('/')), fill=(0, 0, 0))
    for i, r in enumerate(rows):
        col.paste(r, (0, 16 + i * (H + 4)))
    cols.append(col)
fig = Image.new('RGB', (sum(c.width for c in cols) + 16 * (len(cols) - 1), max(c.height for c in cols)), (255, 255, 255))
x = 0
for c in cols:
    fig.paste(c, (x, 0)); x += c.width + 16
fig.save(out)
print(out, fig.size)
