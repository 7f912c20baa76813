"""``filmstyle demo``: the shipped sample clip in the shipped look, and how far the look moved it."""
from __future__ import annotations

import argparse

from filmstyle._cli.common import claim, force_option, given, option
from filmstyle.core.config import RenderOptions


DEMO_OUTPUT = "filmstyle-demo.mp4"


def add_parser(d: argparse.ArgumentParser) -> None:
    d.add_argument("-o", "--output", help=f"the video to write (default {DEMO_OUTPUT}, replaced by each demo)")
    force_option(d)
    option(d, "--max-frames", cls=RenderOptions, type=int, help="stop after N frames")


def run(args: argparse.Namespace) -> None:
    from filmstyle._cli.render import render
    from filmstyle.core import video
    from filmstyle.core.assets import DEMO_CLIP, DEMO_LOOK, DEMO_STILL
    from filmstyle.core.image import from_array, load_still
    from filmstyle.measure.style import style_distance
    from filmstyle.nets.vgg import load_vgg19

    print(f"demo: {DEMO_CLIP.name} in the look of {DEMO_STILL.name} ({DEMO_LOOK.name}); "
          f"attribution in {DEMO_CLIP.parent / 'ATTRIBUTION.md'}")
    from filmstyle.core.video import OUTPUT_SUFFIXES

    output = args.output or DEMO_OUTPUT
    if args.output is not None:  # the default is the demo's own file: each demo replaces it
        claim(args, output, suffixes=OUTPUT_SUFFIXES, what="video")
    stats = render(DEMO_LOOK, DEMO_CLIP, output, RenderOptions(**given(args, RenderOptions)), args.quiet)
    vgg = load_vgg19("relu4_3")
    still = load_still(DEMO_STILL, 256)

    def frames(path):  # noqa: ANN001, ANN202
        return (from_array(f) for f in video.sample_frames(path, 4))

    before, after = style_distance(vgg, frames(DEMO_CLIP), still), style_distance(vgg, frames(stats.output), still)
    print(f"style distance to the still (relative Gram, 4 frames): source {before:.3f} -> rendered {after:.3f} "
          f"({after / before:.0%} of the source's)")
    print(f"output: {stats.output.resolve()}")
