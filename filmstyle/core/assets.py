"""Where filmstyle finds its files: the shipped assets and the optional shared data folder.

The shipped assets (``filmstyle/assets/``, attribution in ``ATTRIBUTION.md``) make the demo and the
default adaptation work on a machine with nothing else. The shared data folder (clips, stills,
photos of ``../shared/data``) is only for meta-training and benchmarks.
"""
from __future__ import annotations

import os
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
DEMO_CLIP = ASSETS / "demo_clip.mp4"
DEMO_STILL = ASSETS / "demo_still.png"
DEMO_LOOK = ASSETS / "demo.look"
META_INIT = ASSETS / "init.look"  # made by `filmstyle meta-train` (docs/results/meta.md)
# the lean network's init (12x3k3d12-6: width 12, 3 blocks, 3x3 end convs, decoder 12 and 6; runs/README.md, meta_r3):
# the network runs ~2.5x as fast as the default's on ONNX Runtime (2.2x the PyPI peer's), a little less steady and farther from the still (docs/results/network.md)
META_INIT_FAST = ASSETS / "init_fast.look"
SHIPPED_INITS = {"meta": META_INIT, "meta-fast": META_INIT_FAST}  # adapt --init NAME
ONNX_TEMPLATES = ASSETS  # architecture-*.onnx.gz: filmstyle.nets.onnx.write_shipped_template


def shared_data() -> Path:
    """$FILMSTYLE_SHARED/data, else the ``shared/data`` folder beside the repository checkout."""
    return Path(os.environ.get("FILMSTYLE_SHARED", Path(__file__).resolve().parents[3] / "shared")) / "data"
