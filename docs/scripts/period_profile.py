#!/usr/bin/python3
"""Strongest spatial period of an image's edges, in x and in y (docs/PATCHGENCN.md, "the grid").

usage: docs/scripts/period_profile.py IMAGE [IMAGE ...]

For each image (grey levels): the mean absolute difference between neighbouring columns, as a
function of x (and between neighbouring rows, as a function of y); the magnitude of that profile's
discrete Fourier transform; the period (in pixels) of its largest peak among periods up to a third
of the length, and that peak's height over the median magnitude. A period-2 checkerboard gives a
peak at 2.0 several times the median; a natural image has no dominant short period. Needs Pillow.
"""
import math
import sys

from PIL import Image


def profiles(path):
    im = Image.open(path).convert("L")
    w, h = im.size
    a = list(im.getdata())
    dx = [sum(abs(a[y * w + x + 1] - a[y * w + x]) for y in range(h)) / h for x in range(w - 1)]
    dy = [sum(abs(a[(y + 1) * w + x] - a[y * w + x]) for x in range(w)) / w for y in range(h - 1)]
    return dx, dy


def peak(v):
    n = len(v)
    m = sum(v) / n
    v = [t - m for t in v]
    mag = [abs(sum(v[i] * complex(math.cos(2 * math.pi * k * i / n), -math.sin(2 * math.pi * k * i / n))
                   for i in range(n))) for k in range(n // 2 + 1)]
    median = sorted(mag[1:])[len(mag) // 2]
    k = max(range(3, len(mag)), key=lambda k: mag[k])
    return n / k, mag[k] / median


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip().splitlines()[2])
    print("image\tperiod_x\tpeak_x\tperiod_y\tpeak_y")
    for p in sys.argv[1:]:
        dx, dy = profiles(p)
        px, hx = peak(dx)
        py, hy = peak(dy)
        print(f"{p}\t{px:.2f}\t{hx:.1f}\t{py:.2f}\t{hy:.1f}")
