"""Draws the Crumbwall icons (a cookie with a bite, behind a green wall) as PNGs, standard library only.

Run: python3 extension/icons/make-icons.py  (the PNGs are committed; rerun only to change them)
"""
import math, struct, zlib, pathlib

def png(size, pixel):
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            row += bytes(pixel(x, y, size))
        rows.append(bytes(row))
    raw = b"".join(rows)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")

CHIPS = [(0.38, 0.36, 0.07), (0.58, 0.30, 0.055), (0.46, 0.56, 0.065), (0.30, 0.55, 0.05), (0.62, 0.52, 0.05)]

def shade(u, v):
    """Colour at unit coordinates (0..1), or None for transparent."""
    # Wall: a green band at the bottom with brick joints.
    if v > 0.70 and 0.06 < u < 0.94 and v < 0.96:
        row = int((v - 0.70) / 0.087)
        off = 0.0 if row % 2 == 0 else 0.11
        if (v - 0.70) % 0.087 < 0.014 or ((u + off) % 0.22) < 0.018:
            return (18, 74, 48, 255)
        return (38, 140, 88, 255)
    d = math.hypot(u - 0.5, v - 0.45)
    if d > 0.40:
        return None
    if math.hypot(u - 0.86, v - 0.16) < 0.17:  # the bite
        return None
    for cx, cy, r in CHIPS:
        if math.hypot(u - cx, v - cy) < r:
            return (92, 52, 24, 255)
    return (214, 160, 86, 255) if d < 0.37 else (170, 116, 54, 255)

def pixel(x, y, size, ss=4):
    acc = [0, 0, 0, 0]
    for i in range(ss):
        for j in range(ss):
            c = shade((x + (i + 0.5) / ss) / size, (y + (j + 0.5) / ss) / size)
            if c:
                for k in range(3):
                    acc[k] += c[k] * c[3]
                acc[3] += c[3]
    if acc[3] == 0:
        return (0, 0, 0, 0)
    return (round(acc[0] / acc[3]), round(acc[1] / acc[3]), round(acc[2] / acc[3]), round(acc[3] / ss / ss))

here = pathlib.Path(__file__).parent
for s in (16, 32, 48, 128):
    (here / f"icon-{s}.png").write_bytes(png(s, pixel))
