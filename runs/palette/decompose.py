"""Where the palette ratio's distance is: lightness (L) or colour (a, b).

For each render, at frames 0, 16 and 31, the palette ratio of filmstyle.measure.viewer (sliced
Wasserstein-1 in Lab to the still, output over source) and the same ratio on L alone and on (a, b)
alone. The exposure lock holds each output frame's mean luma at the source's, so an L ratio near 1
with an (a, b) ratio far below it says the miss is the tone the lock keeps, not the colour.

    python runs/palette/decompose.py CLIP RENDER STILL [CLIP RENDER STILL ...]
"""
import sys

import cv2
from PIL import Image
import numpy as np

from filmstyle.measure.viewer import rgb_to_lab, sample_pixels, sliced_wasserstein, trim_bars

FRAMES = (0, 16, 31)


def frames(path, size=None):
    cap, out, i = cv2.VideoCapture(path), {}, 0
    while len(out) < len(FRAMES):
        ok, bgr = cap.read()
        if not ok:
            break
        if i in FRAMES:
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            out[i] = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if size else rgb
        i += 1
    return out


def ratios(src, out, ref):
    s, o = rgb_to_lab(sample_pixels(src, 20000, 0)), rgb_to_lab(sample_pixels(out, 20000, 0))
    r = []
    for cols in ([0, 1, 2], [0], [1, 2]):
        r.append(sliced_wasserstein(o[:, cols], ref[:, cols]) / sliced_wasserstein(s[:, cols], ref[:, cols]))
    return r


args = sys.argv[1:]
print(f"{'render':58s} {'Lab':>5s} {'L':>5s} {'ab':>5s}   mean L: src / out / still")
for clip, render, still in zip(args[::3], args[1::3], args[2::3]):
    ref = rgb_to_lab(sample_pixels(trim_bars(np.asarray(Image.open(still).convert("RGB"))), 20000, 0))
    outs = frames(render)
    h, w = next(iter(outs.values())).shape[:2]
    srcs = frames(clip, (w, h))
    rs = np.array([ratios(srcs[t], outs[t], ref) for t in outs])
    ls = [rgb_to_lab(sample_pixels(x, 20000, 0))[:, 0].mean() for x in (srcs[0], outs[0])]
    print(f"{render.split('/')[-1][:58]:58s} {rs[:, 0].mean():5.2f} {rs[:, 1].mean():5.2f} {rs[:, 2].mean():5.2f}"
          f"   {ls[0]:5.1f} / {ls[1]:5.1f} / {ref[:, 0].mean():5.1f}")
