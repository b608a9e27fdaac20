#!/usr/bin/env python3
# Regenerates compiler/spy_font.h: python3 compiler/spy_font_gen.py > compiler/spy_font.h
# (needs rsvg-convert and the DejaVu fonts; the output is committed).
import subprocess, zlib, struct, sys
W, H, SIZE, BASE = 8, 14, 12, 11
chars = [chr(c) for c in range(32, 127)]
cols = 16
def esc(c):
    return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}.get(c, c)
parts = []
for k, c in enumerate(chars):
    x = (k % cols) * 20 + 2
    y = (k // cols) * 24 + BASE + 2
    parts.append(f'<text x="{x}" y="{y}" xml:space="preserve">{esc(c)}</text>')
svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{cols*20}" height="{(len(chars)//cols+1)*24}">'
       f'<g font-family="DejaVu Sans Mono" font-size="{SIZE}px" fill="black">' + ''.join(parts) + '</g></svg>')
png = subprocess.run(['rsvg-convert', '-f', 'png'], input=svg.encode(), capture_output=True, check=True).stdout
# decode an 8-bit RGBA non-interlaced PNG
pos = 8; idat = b''
while pos < len(png):
    ln, = struct.unpack('>I', png[pos:pos+4]); typ = png[pos+4:pos+8]; data = png[pos+8:pos+8+ln]
    if typ == b'IHDR': w, h, bd, ct, _, _, il = struct.unpack('>IIBBBBB', data)
    if typ == b'IDAT': idat += data
    pos += 12 + ln
assert bd == 8 and ct == 6 and il == 0
raw = zlib.decompress(idat); bpp = 4; stride = w * bpp
rows = []; prev = bytearray(stride); i = 0
for r in range(h):
    f = raw[i]; line = bytearray(raw[i+1:i+1+stride]); i += 1 + stride
    for x in range(stride):
        a = line[x-bpp] if x >= bpp else 0; b = prev[x]; c = prev[x-bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
            pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[x] = (line[x] + pr) & 255
    rows.append(line); prev = line
out = []
for k, c in enumerate(chars):
    x0 = (k % cols) * 20 + 2; y0 = (k // cols) * 24 + 2
    hexs = ''
    for yy in range(H):
        for xx in range(W):
            alpha = rows[y0 + yy][(x0 + xx) * 4 + 3]
            hexs += '0123456789abcdef'[(alpha * 15 + 127) // 255]
    out.append((c, hexs))
print('/* spy_font.h -- an 8x14 grey-level bitmap font (ASCII 32..126) for the text of')
print(' * the PNG spy plot: DejaVu Sans Mono at 12 px (Bitstream Vera license, free to')
print(' * embed), rendered once by compiler/spy_font_gen.py.  One string per glyph,')
print(' * row by row, one hex digit per pixel: 0 transparent .. f opaque. */')
print('#ifndef HESSC_SPY_FONT_H')
print('#define HESSC_SPY_FONT_H')
print(f'#define SPY_FONT_W {W}')
print(f'#define SPY_FONT_H {H}')
print('static const char *const spy_font[95] = {')
for c, hexs in out:
    name = c if c not in '\\*/' else ' '
    print(f'\t"{hexs}", /* {name} */')
print('};')
print('#endif')
