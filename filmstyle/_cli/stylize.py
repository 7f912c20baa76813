"""``filmstyle stylize IMAGE -l LOOK -o OUT``: one image (:func:`filmstyle.render.stylize_image`)."""
from __future__ import annotations

import argparse
import time

from filmstyle._cli.common import at_least, claim, force_option, given, option
from filmstyle.core.config import BACKEND_CHOICES, DETAILS, DEVICES, TONES, RenderOptions


def add_parser(s: argparse.ArgumentParser) -> None:
    s.add_argument("image")
    s.add_argument("-l", "--look", required=True)
    s.add_argument("-o", "--output", required=True)
    option(s, "--strength", cls=RenderOptions, type=float, help="0 = source, 1 = full look")
    option(s, "--preserve-color", cls=RenderOptions, action="store_true",
           help="keep the source colours (luminance transfer)")
    option(s, "--tone", cls=RenderOptions, choices=TONES,
           help="grade: colour and tone from a grade toward the look's still fitted to this image, texture from the "
                "network; none: the network's output as it is (anchor is for videos: as none here)")
    option(s, "--detail", cls=RenderOptions, choices=DETAILS,
           help="source: run the network at a working size (--network-side) and keep the footage's own finer detail at "
                "full size (fast on large frames); network: the network at full size")
    option(s, "--network-side", cls=RenderOptions, type=at_least(16, "--network-side"),
           help="the network's working short side in px with --detail source")
    option(s, "--device", cls=RenderOptions, choices=DEVICES,
           help="where the network runs: auto (a CUDA GPU where torch sees one, else the CPU), cpu or cuda")
    option(s, "--backend", cls=RenderOptions, choices=BACKEND_CHOICES,
           help="what runs the network: torch, onnx (ONNX Runtime; pip install 'filmstyle[onnx]'; its export takes "
                "a few seconds) or auto: torch for one image")
    force_option(s)


def run(args: argparse.Namespace) -> None:
    from filmstyle.look import load_look
    from filmstyle.render import stylize_image

    from filmstyle.core.picture import WRITE_SUFFIXES

    options = RenderOptions(**given(args, RenderOptions))
    claim(args, args.output, args.image, args.look, suffixes=WRITE_SUFFIXES, what="image")
    look = load_look(args.look)
    t0 = time.perf_counter()
    out = stylize_image(look, args.image, args.output, options)
    print(f"wrote {out} in {time.perf_counter() - t0:.2f} s")
