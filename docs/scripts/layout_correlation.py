#!/usr/bin/env python3
"""Layout correlation of single-image samples: how much of the training image's coarse arrangement
each sample keeps.

    layout_correlation.py [--short N] [--shift K] REAL SAMPLE_OR_FOLDER...

Both images are box-averaged to a grid whose shortest side is N pixels (default 6; the sample to
the real image's grid, so only samples of the training image's aspect ratio are meaningful). The
score is the Pearson correlation between the two grids (colour channels centred on their own
means, all three pooled), maximised over integer shifts of at most K grid pixels (default 1;
overlapping part only), so that a face moved by one coarse pixel still counts. 1 = the training
image's arrangement; a layout-free texture in the right colours scores near the shuffled
reference. Patch statistics (patch-FD, SWD) do not see the arrangement; this does, coarsely.

Prints one line per sample (file, score) and per folder a summary `FOLDER<TAB>mean<TAB>sd<TAB>n`,
then two references for REAL: the image upside down, and the mean over 100 random permutations
of its grid cells (the same colours with no arrangement; the maximum over shifts lifts it above 0).
"""
import glob
import math
import os
import random
import sys

from PIL import Image


def pixels(img, size):
    im = img.convert('RGB').resize(size, Image.BOX)
    w, h = size
    px = im.load()
    return [[px[x, y] for x in range(w)] for y in range(h)]


def correlation(a, b, k):
    """Largest Pearson correlation between the overlapping parts of grids a and b over shifts of at
    most k grid pixels; each colour channel is centred on its own mean over the overlap."""
    h, w = len(a), len(a[0])
    best = -1.0
    for dy in range(-k, k + 1):
        for dx in range(-k, k + 1):
            pairs = [(a[y][x], b[y - dy][x - dx])
                     for y in range(max(0, dy), min(h, h + dy))
                     for x in range(max(0, dx), min(w, w + dx))]
            sab = saa = sbb = 0.0
            for c in range(3):
                ma = sum(p[c] for p, _ in pairs) / len(pairs)
                mb = sum(q[c] for _, q in pairs) / len(pairs)
                for p, q in pairs:
                    sab += (p[c] - ma) * (q[c] - mb)
                    saa += (p[c] - ma) ** 2
                    sbb += (q[c] - mb) ** 2
            r = sab / math.sqrt(saa * sbb) if saa > 0 and sbb > 0 else 0.0
            best = max(best, r)
    return best


def main(argv):
    short, shift = 6, 1
    args = list(argv)
    while args and args[0].startswith('--'):
        opt = args.pop(0)
        if opt == '--short':
            short = int(args.pop(0))
        elif opt == '--shift':
            shift = int(args.pop(0))
        else:
            sys.exit(f'layout_correlation.py: unknown option {opt}')
    if len(args) < 2:
        sys.exit(__doc__)
    real = Image.open(args[0])
    w, h = real.size
    size = (max(1, round(w * short / min(w, h))), max(1, round(h * short / min(w, h))))
    ref = pixels(real, size)
    for target in args[1:]:
        files = sorted(glob.glob(os.path.join(target, 'sample_*.png'))) if os.path.isdir(target) else [target]
        if not files:
            sys.exit(f'layout_correlation.py: no sample_*.png in {target}')
        ds = []
        for f in files:
            d = correlation(pixels(Image.open(f), size), ref, shift)
            ds.append(d)
            print(f'{f}\t{d:.3f}')
        m = sum(ds) / len(ds)
        sd = math.sqrt(sum((d - m) ** 2 for d in ds) / (len(ds) - 1)) if len(ds) > 1 else 0.0
        print(f'{target}\t{m:.3f}\t{sd:.3f}\t{len(ds)}')
    flipped = pixels(real.transpose(Image.FLIP_TOP_BOTTOM), size)
    print(f'reference: upside down\t{correlation(flipped, ref, shift):.2f}')
    rng = random.Random(1)
    cells = [p for row in ref for p in row]
    shuffled = []
    for _ in range(100):
        rng.shuffle(cells)
        shuffled.append(correlation([cells[y * size[0]:(y + 1) * size[0]] for y in range(size[1])], ref, shift))
    print(f'reference: cells shuffled (mean of 100)\t{sum(shuffled) / len(shuffled):.2f}')


if __name__ == '__main__':
    main(sys.argv[1:])
