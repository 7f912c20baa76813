"""``filmstyle render VIDEO -l LOOK -o OUT``: a video in a look (:func:`filmstyle.render.render_video`)."""
from __future__ import annotations

import argparse
import os

from filmstyle._cli.common import (at_least, claim, executor_options, force_option, frames_total, given, option,
                                   parse_size, progress)
from filmstyle.core.config import Segmenting, BACKEND_CHOICES, DETAILS, DEVICES, CODECS, COLOR_STAGES, FLOWS, PRESETS, TEMPORAL_MODES, TONES, TRANSFERS, RenderOptions


def add_parser(r: argparse.ArgumentParser) -> None:
    r.add_argument("video")
    r.add_argument("-l", "--look", required=True)
    r.add_argument("-o", "--output", required=True, help=".mp4/.mkv (h264) or .mov (prores)")
    option(r, "--size", cls=RenderOptions, type=parse_size, help="output WxH (none: the source size)")
    option(r, "--max-frames", cls=RenderOptions, type=int, help="stop after N frames")
    option(r, "--strength", cls=RenderOptions, type=float, help="0 = source, 1 = full look")
    option(r, "--preserve-color", cls=RenderOptions, action="store_true",
           help="keep the source colours (luminance transfer)")
    option(r, "--codec", cls=RenderOptions, choices=CODECS, help="h264 (mp4/mkv/mov) or ProRes 422 HQ (mov)")
    option(r, "--crf", cls=RenderOptions, type=int, help="h264 quality, 0-51, lower is better")
    option(r, "--preset", cls=RenderOptions, choices=PRESETS, help="libx264 speed preset (slower presets compress better)")
    option(r, "--temporal", cls=RenderOptions, choices=TEMPORAL_MODES,
           help="blend: carry the previous output along the optical flow (less flicker; about 5-10%% of "
                "the FPS); none: every frame on its own")
    option(r, "--cuts", cls=RenderOptions, help="where blending restarts: auto (detect shot cuts), none, "
           "or a text file of frame indices, one per line")
    option(r, "--flow", cls=RenderOptions, choices=FLOWS, help="optical flow for --temporal blend")
    option(r, "--color-transfer", cls=RenderOptions, choices=TRANSFERS,
           help="colour transfer toward --color-still: Reinhard et al., histogram matching, Monge-Kantorovich")
    option(r, "--color-still", cls=RenderOptions, help="the still whose colours --color-transfer takes")
    option(r, "--color-stage", cls=RenderOptions, choices=COLOR_STAGES,
           help="transfer the colours before stylisation or after it")
    option(r, "--lut", cls=RenderOptions, help="a .cube or Hald CLUT file applied to the output last")
    option(r, "--tone", cls=RenderOptions, choices=TONES,
           help="grade: colour and tone from a grade toward the look's still fitted to this clip, texture from the "
                "network, exposure following the source; anchor: the network's output with its brightness tied to the "
                "source's; none: the network's output as it is (docs/results/looks.md)")
    option(r, "--detail", cls=RenderOptions, choices=DETAILS,
           help="source: run the network at a working size (--network-side) and keep the footage's own finer detail at "
                "full size (fast on large frames); network: the network at full size")
    option(r, "--network-side", cls=RenderOptions, type=at_least(16, "--network-side"),
           help="the network's working short side in px with --detail source")
    option(r, "--network-every", cls=RenderOptions, type=at_least(1, "--network-every"),
           help="run the network on every Nth frame (and at cuts) and carry its look along the flow between them: "
                "about N times less network time (needs --temporal blend; docs/results/speed.md); not given: "
                "3 with --temporal blend and --tone grade, else 1")
    option(r, "--detail-limit", cls=RenderOptions, type=float, metavar="K",
           help="with --tone grade: hold the network's detail to K times the footage's own detail nearby, so that it "
                "invents no texture where the footage is flat (fog, sky, walls); 0: no limit (a painting's strokes "
                "everywhere)")
    option(r, "--device", cls=RenderOptions, choices=DEVICES,
           help="where the network runs: auto (a CUDA GPU where torch sees one, else the CPU), cpu or cuda")
    option(r, "--backend", cls=RenderOptions, choices=BACKEND_CHOICES,
           help="what runs the network: torch, onnx (ONNX Runtime; pip install 'filmstyle[onnx]'; faster on a "
                "CPU after a few seconds' export) or auto: onnx for a video where installed, else torch")
    option(r, "--workdir", cls=Segmenting, help="where a render in segments keeps them until the join (none: a "
           "hidden folder beside the output); giving it renders in segments; the same command resumes a killed render")
    option(r, "--segment-seconds", cls=Segmenting, type=float,
           help="length of a segment; clips of twice this or more are rendered in segments, resumably")
    option(r, "--keep-workdir", cls=Segmenting, action="store_true", help="keep the segments after the join")
    executor_options(r, Segmenting, "segments", "more than 1 renders in segments; ",
                     "; --workdir on storage every node sees")
    option(r, "--strict", cls=RenderOptions, action="store_true",
           help="refuse a damaged or truncated video (nothing written); by default what decodes is rendered and "
                "the damage reported")
    force_option(r)


def render(look_path: str | os.PathLike, src: str | os.PathLike, dst: str | os.PathLike, options: RenderOptions,
           quiet: bool, how: Segmenting = Segmenting()):  # noqa: ANN201 - RenderStats or SegmentedStats
    """Render (:func:`filmstyle.segments.render_file`: in segments where long) with a progress bar and
    print the figures (also the demo's render); the output was claimed
    (:func:`filmstyle._cli.common.claim`) by the caller."""
    from filmstyle.core import video
    from filmstyle.segments import SegmentedStats, render_file, segmented

    info = video.probe(src)
    try:
        with progress(frames_total(info.frame_count, options.max_frames), "render", "frame", quiet) as bar:
            stats = render_file(look_path, src, dst, options, how, on_frames=bar.update)
    except KeyboardInterrupt as e:
        e.resumable = segmented(info, how)  # the finished segments are kept: the same command renders only the rest
        raise
    if isinstance(stats, SegmentedStats):
        reused = f", {stats.reused} found done" if stats.reused else ""
        print(f"wrote {stats.output}: {stats.frames} frames at {stats.width}x{stats.height}, {stats.audio_streams} "
              f"audio stream(s) kept; {stats.segments} segment(s) ({stats.rendered} rendered{reused}, {how.jobs} "
              f"job(s)), end-to-end {stats.e2e_fps:.2f} FPS ({stats.seconds_render:.1f} s + join "
              f"{stats.seconds_join:.1f} s)")
        return stats
    print(f"wrote {stats.output}: {stats.frames} frames at {stats.width}x{stats.height}, "
          f"{stats.audio_streams} audio stream(s) kept; model {stats.model_fps:.2f} FPS ({stats.backend}), "
          f"end-to-end {stats.e2e_fps:.2f} FPS ({stats.total_seconds:.1f} s)"
          + (f"; temporal blend {stats.temporal_seconds:.1f} s, {stats.cuts} cut(s)" if options.temporal == "blend" else "")
          + (f"; the network ran on {stats.network_frames} of them" if stats.network_frames not in (None, stats.frames) else ""))
    return stats


def run(args: argparse.Namespace) -> None:
    from filmstyle.core.video import OUTPUT_SUFFIXES

    options = RenderOptions(**given(args, RenderOptions))
    how = Segmenting(**given(args, Segmenting))
    claim(args, args.output, args.video, args.look, options.lut, options.color_still, options.cuts,
          suffixes=OUTPUT_SUFFIXES, what="video")
    render(args.look, args.video, args.output, options, args.quiet, how)
