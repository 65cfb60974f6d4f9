#!/usr/bin/env python3
"""Draws images/icon.png (128x128, the Marketplace icon) with the standard library only: one request
(left) routed to the smallest of three models that will do (the green one). 4x supersampled."""
import math, os, struct, zlib

N, S = 128, 4
W = N * S

def hexrgb(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))

BG, LIGHT, GREEN, PATH_ON, PATH_OFF, MODEL = map(hexrgb, ['#14352b', '#e8f5e9', '#66bb6a', '#81c784', '#4d6b60', '#7b9a8f'])

def bezier(p0, p1, p2, p3, steps=64):
    for i in range(steps + 1):
        t = i / steps
        yield tuple((1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t ** 2 * c + t ** 3 * d for a, b, c, d in zip(p0, p1, p2, p3))

def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy or 1)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)

def polyline(points):
    pts = list(points)
    return list(zip(pts, pts[1:]))

# Shapes in icon coordinates, painted in order: (kind, data, colour).
shapes = [
    ('path', (polyline(bezier((41, 64), (62, 64), (62, 94), (84, 94))), 2.5), PATH_OFF),
    ('path', (polyline([(41, 64), (84, 64)]), 2.5), PATH_OFF),
    ('path', (polyline(bezier((41, 64), (62, 64), (62, 34), (84, 34))), 3.5), PATH_ON),
    ('circle', (30, 64, 11), LIGHT),
    ('circle', (96, 34, 10), GREEN),
    ('circle', (96, 64, 13), MODEL),
    ('circle', (96, 94, 16), MODEL),
]

def inside_rounded(x, y, x0=4, y0=4, x1=124, y1=124, r=24):
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return math.hypot(x - cx, y - cy) <= r and x0 <= x <= x1 and y0 <= y <= y1

acc = [[0.0, 0.0, 0.0, 0.0] for _ in range(N * N)]
for sy in range(W):
    for sx in range(W):
        x, y = (sx + 0.5) / S, (sy + 0.5) / S
        if not inside_rounded(x, y):
            continue
        colour = BG
        for kind, data, c in shapes:
            if kind == 'circle':
                cx, cy, r = data
                if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
                    colour = c
            else:
                segs, half = data
                if abs(x - 62) <= 30 and any(seg_dist(x, y, *a, *b) <= half for a, b in segs):
                    colour = c
        a = acc[(sy // S) * N + sx // S]
        a[0] += colour[0]; a[1] += colour[1]; a[2] += colour[2]; a[3] += 255

raw = bytearray()
for row in range(N):
    raw.append(0)
    for col in range(N):
        r, g, b, al = acc[row * N + col]
        n = S * S
        cover = al / 255
        raw += bytes([int(r / cover) if cover else 0, int(g / cover) if cover else 0, int(b / cover) if cover else 0, int(al / n)])

def chunk(tag, data):
    return struct.pack('>I', len(data)) + tag + data + struct.pack('>I', zlib.crc32(tag + data) & 0xffffffff)

png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', N, N, 8, 6, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(bytes(raw), 9)) + chunk(b'IEND', b'')
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'images', 'icon.png')
open(out, 'wb').write(png)
print(f'make-icon: wrote {out} ({len(png)} bytes)')
