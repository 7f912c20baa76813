"""(By default) frame 25 (N=3: carried two frames from the network's frame 24) and frame 46 of the renders with
--network-every 1 (ne1b), 2 and 3, side by side, whole and a 1:1 centre crop; with |ne3 - ne1b| x4."""
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from filmstyle.core import video

key = sys.argv[1]  # e.g. cockatoo__starry_night
out = Path(sys.argv[2])
tags = sys.argv[3].split(",") if len(sys.argv) > 3 else ["ne1b", "ne2", "ne3"]  # the first: every frame; the last: N=3
times = [int(t) for t in sys.argv[4].split(",")] if len(sys.argv) > 4 else [25, 46]
rows = []
for t in times:
    frames = {n: list(video.read_frames(f"runs/look_default/{key}__grade_{n}.mp4", max_frames=t + 1))[t] for n in tags}
    frames[f"|{tags[-1]}-{tags[0]}| x4"] = np.clip(np.abs(frames[tags[-1]].astype(int) - frames[tags[0]]) * 4, 0,
                                                  255).astype(np.uint8)
    tiles = []
    for name, f in frames.items():
        h, w = f.shape[:2]
        crop = f[h // 2 - 80:h // 2 + 80, w // 2 - 120:w // 2 + 120]
        whole = np.array(Image.fromarray(f).resize((240, round(h * 240 / w))))
        tile = Image.fromarray(np.vstack([whole, crop]))
        ImageDraw.Draw(tile).text((3, 2), f"{name} t={t}", fill=(255, 255, 0))
        tiles.append(np.asarray(tile))
    rows.append(np.hstack(tiles))
Image.fromarray(np.vstack(rows)).quantize(256, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)  # small
print(out)
