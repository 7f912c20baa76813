"""``filmstyle export LOOK -o OUT.onnx``: a look's network as an ONNX model (:func:`filmstyle.look.export_onnx`)."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from filmstyle._cli.common import claim, force_option


def add_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("look", help="a .look file (`filmstyle adapt`)")
    p.add_argument("-o", "--output", required=True,
                   help="the .onnx file to write: input 'image' (B, 3, H, W) float RGB in [0, 1], any size; "
                        "output 'styled', the same size; the look's header in its metadata")
    force_option(p)


def run(args: argparse.Namespace) -> None:
    from filmstyle.core.config import ONNX_OPSET
    from filmstyle.look import export_onnx, load_look

    claim(args, args.output, args.look, suffixes=(".onnx",), what="ONNX model")
    look = load_look(args.look)
    t0 = time.perf_counter()
    out = export_onnx(look, args.output, name=Path(args.look).stem)
    print(f"wrote {out}: ONNX opset {ONNX_OPSET}, {out.stat().st_size / 1e6:.1f} MB, network "
          f"{look.net.config}, any frame size; {time.perf_counter() - t0:.1f} s")
