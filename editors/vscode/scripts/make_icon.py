"""Draws the extension's icon, images/icon.png (128 x 128): a trace waterfall, three spans nested
under a root span, on a dark rounded square. Standard library only, so the icon is made the same
way on every machine:  python3 scripts/make_icon.py"""
import os
import struct
import zlib

SIZE = 128
SAMPLES = 4  # supersampling per axis, for smooth edges
BACKGROUND = (30, 42, 56)
# (left, top, right, bottom, colour) in icon pixels: the root span and its children.
BARS = [(20, 26, 108, 42, (94, 200, 190)),
        (32, 50, 88, 66, (240, 180, 80)),
        (44, 74, 76, 90, (240, 120, 100)),
        (60, 98, 104, 112, (150, 160, 240))]
CORNER = 24


def inside_rounded(x, y, left, top, right, bottom, radius):
    cx = min(max(x, left + radius), right - radius)
    cy = min(max(y, top + radius), bottom - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def colour_at(x, y):
    """The colour of one sample, or None outside the icon's square."""
    if not inside_rounded(x, y, 0, 0, SIZE, SIZE, CORNER):
        return None
    for left, top, right, bottom, colour in BARS:
        if inside_rounded(x, y, left, top, right, bottom, 4):
            return colour
    return BACKGROUND


def pixel(px, py):
    total = [0, 0, 0, 0]
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            colour = colour_at(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES)
            if colour:
                total[0] += colour[0]
                total[1] += colour[1]
                total[2] += colour[2]
                total[3] += 255
    covered = total[3] / 255
    if covered == 0:
        return (0, 0, 0, 0)
    return tuple(round(c / covered) for c in total[:3]) + (round(total[3] / SAMPLES ** 2),)


def png(rows):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + bytes(value for rgba in row for value in rgba) for row in rows)
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "images", "icon.png")
    with open(target, "wb") as handle:
        handle.write(png(rows))


if __name__ == "__main__":
    main()
