"""Regenerates the tiny image fixtures in this folder (run once by hand; tests never run Python).

Requires Pillow (9.4 was used) and numpy. For every fixture NAME.{png,jpg} it writes NAME.rgb: the
expected HWC uint8 RGB values, i.e. Pillow's Image.open(NAME).convert("RGB"), except for 16-bit
files where ebm4j deliberately uses round(v * 255 / 65535) (Pillow clips 16-bit grey to 255 and
keeps the high byte of 16-bit RGB). linear_rgb.icc is Java's built-in CS_LINEAR_RGB profile, used
as a clearly non-sRGB profile that must be ignored.
"""
import os
import struct
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240501)
W, H = 6, 5


def path(name):
    return os.path.join(HERE, name)


def expect(name, rgb):
    np.ascontiguousarray(rgb, dtype=np.uint8).tofile(path(os.path.splitext(name)[0] + ".rgb"))


def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)


def raw_png(name, rows, w, h, depth, color_type):
    """Writes a PNG from already packed scanlines (filter byte 0 is prepended here)."""
    data = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(data)) + chunk(b"IEND", b"")
    open(path(name), "wb").write(png)


def to8(v16):
    return ((v16.astype(np.int64) * 255 + 32767) // 65535).astype(np.uint8)


def pil_fixture(name, im, **save):
    im.save(path(name), **save)
    expect(name, np.asarray(Image.open(path(name)).convert("RGB")))


rgb = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
grey = rng.integers(0, 256, (H, W), dtype=np.uint8)
alpha = rng.integers(0, 256, (H, W), dtype=np.uint8)
alpha[0, :] = 0  # fully transparent pixels keep their colour (no premultiplication)

pil_fixture("rgb8.png", Image.fromarray(rgb))
pil_fixture("grey8.png", Image.fromarray(grey))
pil_fixture("grey1.png", Image.fromarray(grey > 127))
pil_fixture("la8.png", Image.fromarray(np.dstack([grey, alpha]), "LA"))
pil_fixture("rgba8.png", Image.fromarray(np.dstack([rgb, alpha])))
pal = Image.fromarray(rgb).quantize(colors=200)
pil_fixture("palette8.png", pal, transparency=3)
pil_fixture("palette4.png", Image.fromarray(rgb).quantize(colors=16), bits=4)
icc = open(path("linear_rgb.icc"), "rb").read()
pil_fixture("rgb8_iccp.png", Image.fromarray(rgb), icc_profile=icc)

# 2-bit grey: Pillow expands 0..3 to 0, 85, 170, 255.
g2 = rng.integers(0, 4, (H, W), dtype=np.uint8)
rows = []
for y in range(H):
    bits = 0
    packed = bytearray()
    for x in range(W):
        bits = (bits << 2) | int(g2[y, x])
        if x % 4 == 3:
            packed.append(bits); bits = 0
    if W % 4:
        packed.append(bits << (2 * (4 - W % 4)))
    rows.append(bytes(packed))
raw_png("grey2.png", rows, W, H, 2, 0)
expect("grey2.png", np.asarray(Image.open(path("grey2.png")).convert("RGB")))

g16 = rng.integers(0, 65536, (H, W), dtype=np.uint16)
g16[0, :3] = [0, 65535, 128]  # 128 -> 0.498 -> 0; exercises rounding
g16[1, :3] = [32767, 32768, 257]
Image.fromarray(g16).save(path("grey16.png"))
expect("grey16.png", np.repeat(to8(g16)[:, :, None], 3, axis=2))

rgb16 = rng.integers(0, 65536, (H, W, 3), dtype=np.uint16)
a16 = rng.integers(0, 65536, (H, W), dtype=np.uint16)
raw_png("rgb16.png", [rgb16[y].astype(">u2").tobytes() for y in range(H)], W, H, 16, 2)
expect("rgb16.png", to8(rgb16))
raw_png("rgba16.png", [np.dstack([rgb16, a16])[y].astype(">u2").tobytes() for y in range(H)], W, H, 16, 6)
expect("rgba16.png", to8(rgb16))
raw_png("la16.png", [np.dstack([g16, a16])[y].astype(">u2").tobytes() for y in range(H)], W, H, 16, 4)
expect("la16.png", np.repeat(to8(g16)[:, :, None], 3, axis=2))

# JPEGs: a smooth-ish 32x24 picture so chroma subsampling and the IDCT matter.
yy, xx = np.mgrid[0:24, 0:32]
photo = np.dstack([(xx * 8) % 256, (yy * 10) % 256, ((xx + yy) * 5) % 256]).astype(np.int64)
photo = np.clip(photo + rng.integers(-20, 21, photo.shape), 0, 255).astype(np.uint8)
pil_fixture("photo.jpg", Image.fromarray(photo), quality=90)
pil_fixture("photo_icc.jpg", Image.fromarray(photo), quality=90, icc_profile=icc)
pil_fixture("photo_progressive.jpg", Image.fromarray(photo), quality=90, progressive=True)
pil_fixture("photo_grey.jpg", Image.fromarray(photo[:, :, 1]), quality=90)
print("ok")
