"""render's full-size stage through RGB (before) vs in the decoded 4:2:0 planes (now), the same frames
in one process, alternating; the demo look with the render defaults. Run with the other jobs paused
(/tmp/quiet.sh pattern in docs/results/speed.md). Usage: planar_render_ab.py CLIP FRAMES [ROUNDS]"""
import sys
import time

import numpy as np

from filmstyle import render
from filmstyle.core import video
from filmstyle.core.assets import DEMO_LOOK
from filmstyle.core.config import RenderOptions
from filmstyle.look import load_look

src, n = sys.argv[1], int(sys.argv[2])
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
look = load_look(DEMO_LOOK)
real = render.FrameStylizer.planar_for
info = video.probe(src)
print(f"{src}: {info.width}x{info.height}, {n} frames, render defaults, demo look")
render.render_video(look, src, "/tmp/ab_warm.mp4", RenderOptions(max_frames=2))  # the ONNX cache, the tables
for r in range(rounds):
    for planar in (False, True):
        render.FrameStylizer.planar_for = real if planar else (lambda self, info: False)
        t = time.perf_counter()
        st = render.render_video(look, src, f"/tmp/ab_{int(planar)}.mp4", RenderOptions(max_frames=n))
        print(f"round {r + 1} {'planes' if planar else 'RGB   '}: end-to-end {st.e2e_fps:.2f} FPS, model "
              f"{st.model_fps:.2f} FPS, wall {time.perf_counter() - t:.1f} s", flush=True)
a, b = ([f.astype(np.int16) for f in video.read_frames(f"/tmp/ab_{k}.mp4")] for k in (0, 1))
d = np.concatenate([np.abs(x - y).ravel() for x, y in zip(a, b)])
bias = np.mean([float((y - x).mean()) for x, y in zip(a, b)])
print(f"planes vs RGB output, RGB levels: mean |diff| {d.mean():.2f}, 99th percentile {np.percentile(d, 99):.0f}, "
      f"mean (planes - RGB) {bias:+.2f}")
