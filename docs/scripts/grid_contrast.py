#!/usr/bin/python3
"""How strongly an image's edges sit on a coarser pixel grid (docs/PATCHGENCN.md, "the grid").

usage: docs/scripts/grid_contrast.py [--coarse WxH] IMAGE_OR_FOLDER [...]

For each image (grey levels), the mean absolute difference between neighbouring columns is
split by where that column boundary falls on the pixel grid of a coarser W×H image stretched
over this one: near a coarse pixel boundary (phase < 0.2 or > 0.8) or near a coarse pixel centre
(0.3 < phase < 0.7). The contrast is the first mean over the second, in x and likewise in y
(rows). Without --coarse the coarse grid is half this image's size: the ratio of the edges
between columns 2k+1|2k+2 to those between 2k|2k+1, which is > 1 for a phase-locked 2-pixel
pattern. A natural image or an image down-sampled from one gives about 1.0; an image
up-sampled from a coarser one keeps that one's pixel boundaries a little (bicubic ×2 in two
√2 steps: about 1.2). A folder stands for its sample_*.png (mean ± sd). Needs Pillow.
"""
import glob
import os
import statistics
import sys

from PIL import Image


def contrast(path, coarse=None):
    im = Image.open(path).convert("L")
    w, h = im.size
    a = list(im.getdata())
    cw, ch = coarse if coarse else (w / 2, h / 2)

    def split(n, nc, diff):
        near, far = [], []
        for i in range(n - 1):
            phase = ((i + 1) * nc / n) % 1.0
            if phase < 0.2 or phase > 0.8:
                near.append(diff(i))
            elif 0.3 < phase < 0.7:
                far.append(diff(i))
        return (sum(near) / len(near)) / (sum(far) / len(far))

    cx = split(w, cw, lambda x: sum(abs(a[y * w + x + 1] - a[y * w + x]) for y in range(h)))
    cy = split(h, ch, lambda y: sum(abs(a[(y + 1) * w + x] - a[y * w + x]) for x in range(w)))
    return cx, cy


def main(argv):
    coarse = None
    if len(argv) >= 2 and argv[0] == "--coarse":
        cw, ch = argv[1].lower().split("x")
        coarse = (int(cw), int(ch))
        argv = argv[2:]
    if not argv:
        sys.exit(__doc__.strip().splitlines()[2])
    print("image\tn\tcontrast_x\tcontrast_y")
    for p in argv:
        files = sorted(glob.glob(os.path.join(p, "sample_*.png"))) if os.path.isdir(p) else [p]
        if not files:
            sys.exit(f"no sample_*.png in {p}")
        r = [contrast(f, coarse) for f in files]
        xs, ys = [t[0] for t in r], [t[1] for t in r]
        if len(r) == 1:
            print(f"{p}\t1\t{xs[0]:.2f}\t{ys[0]:.2f}")
        else:
            print(f"{p}\t{len(r)}\t{statistics.mean(xs):.2f} ± {statistics.stdev(xs):.2f}"
                  f"\t{statistics.mean(ys):.2f} ± {statistics.stdev(ys):.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
