"""The CUDA path (issue 14, item 3), where torch sees a GPU: skipped elsewhere, CI included. A session
lent a GPU runs it there (runs/gpu/on_device.sh render); the CPU side of --device is tests/test_device.py."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from filmstyle._cli import main
from filmstyle.core.assets import DEMO_LOOK, DEMO_STILL
from tests.test_device import rendered_on

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")


def test_render_on_the_gpu_gives_the_cpus_frames(tiny_clip, tmp_path):
    cuda, cpu = (rendered_on(device, tiny_clip, tmp_path, frames=4) for device in ("cuda", "cpu"))
    assert cuda.shape == cpu.shape and np.abs(cuda - cpu).mean() < 1.0


def test_stylize_on_the_gpu_gives_the_cpus_picture(tmp_path):
    from PIL import Image

    pics = {}
    for device in ("cuda", "cpu"):
        dst = tmp_path / f"{device}.png"
        assert main(["-q", "stylize", str(DEMO_STILL), "-l", str(DEMO_LOOK), "-o", str(dst), "--device", device]) == 0
        pics[device] = np.asarray(Image.open(dst).convert("RGB"), dtype=float)
    assert np.abs(pics["cuda"] - pics["cpu"]).mean() < 1.0


def test_auto_takes_the_gpu(tiny_clip, tmp_path, capsys):
    dst = tmp_path / "auto.mp4"
    assert main(["render", str(tiny_clip), "-l", str(DEMO_LOOK), "-o", str(dst), "--max-frames", "2"]) == 0
    assert "(torch" in capsys.readouterr().out  # on a GPU, auto runs the network in torch (not onnxruntime's CPU)
