"""Where the palette ratio's distance is: lightness (L) or colour (a, b).

For each render, at frames 0, 16 and 31, the palette ratio of filmstyle.measure.viewer (sliced
Wasserstein-1 in Lab to the still, output over source) and the same ratio on L alone and on (a, b)
alone. The exposure lock holds each output frame's mean luma at the source's, so an L ratio near 1
with an (a, b) ratio far below it says the miss is the tone the lock keeps, not the colour.

    python runs/palette/decompose.py CLIP RENDER STILL [CLIP RENDER STILL ...]
"""
import sys

import numpy as np
from PIL import Image

from filmstyle.core.video import read_frames
from filmstyle.measure.viewer import rgb_to_lab, sample_pixels, sliced_wasserstein, still_palette

FRAMES = (0, 16, 31)


def frames(path, size=None):
    """{t: (H, W, 3) uint8 RGB} at FRAMES, read (and resized to ``size``) as the measures read them."""
    return {t: f for t, f in enumerate(read_frames(path, size=size, max_frames=max(FRAMES) + 1)) if t in FRAMES}


def ratios(src, out, ref):
    s, o = rgb_to_lab(sample_pixels(src, 20000, 0)), rgb_to_lab(sample_pixels(out, 20000, 0))
    return [sliced_wasserstein(o[:, c], ref[:, c]) / sliced_wasserstein(s[:, c], ref[:, c]) for c in ([0, 1, 2], [0], [1, 2])]


args = sys.argv[1:]
print(f"{'render':58s} {'Lab':>5s} {'L':>5s} {'ab':>5s}   mean L: src / out / still")
for clip, render, still in zip(args[::3], args[1::3], args[2::3]):
    ref = still_palette(np.asarray(Image.open(still).convert("RGB")), 20000)
    outs = frames(render)
    h, w = next(iter(outs.values())).shape[:2]
    srcs = frames(clip, (w, h))
    rs = np.array([ratios(srcs[t], outs[t], ref) for t in outs])
    ls = [rgb_to_lab(sample_pixels(x, 20000, 0))[:, 0].mean() for x in (srcs[0], outs[0])]
    print(f"{render.split('/')[-1][:58]:58s} {rs[:, 0].mean():5.2f} {rs[:, 1].mean():5.2f} {rs[:, 2].mean():5.2f}"
          f"   {ls[0]:5.1f} / {ls[1]:5.1f} / {ref[:, 0].mean():5.1f}")
