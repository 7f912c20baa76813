"""Every default lives once, in filmstyle.core.config: the CLI's options defer to it, the registries
are keyed by its names, and the Python API and the command give the same result."""
from __future__ import annotations

import argparse
import dataclasses

import numpy as np
import pytest
import torch

from filmstyle import AdaptConfig, RenderOptions, adapt_look, load_look, render_video, stylize_image
from filmstyle._cli import main, parser
from filmstyle._cli.common import default_of
from filmstyle.core import config, video
from filmstyle.core.image import load_image

# Options that are not a library setting: what to read and write, and CLI-only switches.
CLI_ONLY = {"help", "version", "quiet", "command", "output", "video", "content", "look", "lut", "still", "json",
            "csv", "png", "sheet", "restart", "width", "depth", "save_lut", "end_kernel", "decoder", "styles", "videos", "log", "resume", "init", "stop_after",
            "bench"}


def _subparsers(p: argparse.ArgumentParser):  # noqa: ANN202
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield name, sub
                yield from _subparsers(sub)


def test_every_cli_option_takes_the_library_default():
    checked = 0
    for name, sub in _subparsers(parser()):
        for action in sub._actions:
            if not action.option_strings or action.dest in CLI_ONLY:
                continue
            assert action.default is argparse.SUPPRESS, f"{name} {action.option_strings}: a default of its own"
            owners = [c for c in vars(config).values() if dataclasses.is_dataclass(c) and action.dest in c.__dataclass_fields__]
            assert owners, f"{name} {action.option_strings} is no field of a config class"
            if isinstance(action, argparse._StoreTrueAction):  # a switch: off unless given, as in the library
                assert all(default_of(c, action.dest) is False for c in owners)
            else:
                assert "(default " in action.help
            checked += 1
    assert checked >= 50


def test_registries_are_keyed_by_the_config_names():
    from filmstyle.lut.lut3d import FORMATS
    from filmstyle.lut.transfer import TRANSFERS
    from filmstyle.methods import METHODS
    from filmstyle.nets.backend import BACKENDS
    from filmstyle.nets.transformer import FILMSTYLE_NET
    from filmstyle.temporal.flow import FLOW_METHODS
    from filmstyle.training.meta import OUTER
    from filmstyle.training.tasks import HOLDOUT_STYLES

    assert set(FLOW_METHODS) == set(config.FLOWS) and set(TRANSFERS) == set(config.TRANSFERS)
    assert tuple(METHODS) == config.METHODS and set(OUTER) == set(config.OUTER_LOOPS)
    assert FORMATS == config.LUT_FORMATS and tuple(BACKENDS) == config.BACKENDS
    assert config.MetaTrainConfig().net_config() == FILMSTYLE_NET
    assert set(config.BenchConfig().stills) <= set(HOLDOUT_STYLES)


def test_invalid_values_are_refused_by_the_library():
    for bad in (dict(strength=2.0), dict(temporal="smooth"), dict(size=(8, 8)), dict(color_transfer="mk")):
        with pytest.raises(config.InputError):
            RenderOptions(**bad)
    with pytest.raises(config.InputError, match="--crf"):
        config.GradeOptions(crf=100)
    assert AdaptConfig.for_init("scratch").steps == config.SCRATCH_STEPS
    assert AdaptConfig.for_init("meta") == AdaptConfig()


@pytest.fixture
def tiny_look(tmp_path):  # noqa: ANN201
    torch.manual_seed(0)
    from filmstyle.look import Look
    from filmstyle.nets.transformer import TransformerNet

    return Look(TransformerNet(width=2, depth=1)).save(tmp_path / "t.look")


def test_render_api_and_cli_defaults_give_the_same_video(tiny_look, tiny_clip, tmp_path, monkeypatch):
    import filmstyle.render

    handed = []  # the options the command hands the library: exactly the library's defaults
    real = filmstyle.render.render_video
    monkeypatch.setattr(filmstyle.render, "render_video", lambda *a, **k: handed.append(a[3]) or real(*a, **k))
    render_video(load_look(tiny_look), tiny_clip, tmp_path / "api.mp4")
    assert main(["-q", "render", str(tiny_clip), "-l", str(tiny_look), "-o", str(tmp_path / "cli.mp4")]) == 0
    assert handed == [RenderOptions()]
    # and the videos agree: within a level (a multi-threaded encoder on a many-core machine need not be
    # bit-exact), far below what any other default (strength, tone, temporal, flow) changes
    api, cli = (np.stack(list(video.read_frames(tmp_path / f"{n}.mp4"))).astype(np.float32) for n in ("api", "cli"))
    assert api.shape == cli.shape == (8, 48, 64, 3) and float(np.abs(api - cli).mean()) < 0.5


def test_stylize_api_and_cli_defaults_give_the_same_image(tiny_look, tmp_path):
    img = tmp_path / "in.png"
    from PIL import Image

    Image.fromarray(np.random.default_rng(0).integers(0, 255, (40, 56, 3), dtype=np.uint8)).save(img)
    stylize_image(load_look(tiny_look), img, tmp_path / "api.png")
    assert main(["-q", "stylize", str(img), "-l", str(tiny_look), "-o", str(tmp_path / "cli.png")]) == 0
    assert torch.equal(load_image(tmp_path / "api.png", min_side=1), load_image(tmp_path / "cli.png", min_side=1))


def test_adapt_api_and_cli_defaults_give_the_same_look(tiny_clip, tmp_path):
    still = tmp_path / "still.png"
    from PIL import Image

    Image.fromarray((np.random.default_rng(1).random((72, 80, 3)) * [255, 90, 30]).astype(np.uint8)).save(still)
    small = {"steps": 2, "size": 64, "frames": 3}  # the rest: defaults on both sides (the shipped meta init)
    look = load_look(adapt_look(still, AdaptConfig(**small), video_path=tiny_clip)[0].save(tmp_path / "api.look"))
    args = [f"--{k}={v}" for k, v in small.items()]
    assert main(["-q", "adapt", str(still), "-o", str(tmp_path / "cli.look"), "--video", str(tiny_clip), *args]) == 0
    cli = load_look(tmp_path / "cli.look")
    assert cli.meta["adapt"] == look.meta["adapt"]
    for (name, a), b in zip(look.net.state_dict().items(), cli.net.state_dict().values()):
        assert torch.equal(a, b), name
