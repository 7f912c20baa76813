"""--device: auto takes a GPU only where torch sees one; cuda without one is one line, exit 2."""
from __future__ import annotations

import pytest
import torch

from filmstyle._cli import main
from filmstyle.core.device import resolve_device
from filmstyle.core.errors import InputError
from filmstyle.nets import backend
from filmstyle.nets.transformer import TransformerNet


def test_auto_follows_what_torch_sees(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu") and resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(InputError, match="sees no CUDA GPU"):
        resolve_device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("cuda") == resolve_device("cuda")
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")
    with pytest.raises(InputError, match="unknown --device"):
        resolve_device("tpu")


def test_on_a_gpu_auto_runs_the_network_in_torch():
    net = TransformerNet(width=2, depth=1)
    assert backend.choose("auto", net, device=torch.device("cuda")) == "torch"
    assert backend.choose("onnx", net, device=torch.device("cuda")) == "onnx"  # asked for: kept (needs onnxruntime-gpu)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
@pytest.mark.parametrize("command", ["render", "stylize", "adapt", "meta-train"])
def test_device_cuda_without_a_gpu_is_one_line(command, tiny_clip, tmp_path, capsys):
    from filmstyle.core.assets import DEMO_LOOK, DEMO_STILL

    args = {"render": ["render", str(tiny_clip), "-l", str(DEMO_LOOK), "-o", str(tmp_path / "o.mp4")],
            "stylize": ["stylize", str(DEMO_STILL), "-l", str(DEMO_LOOK), "-o", str(tmp_path / "o.png")],
            "adapt": ["adapt", str(DEMO_STILL), "-o", str(tmp_path / "o.look"), "--video", str(tiny_clip), "--steps", "1"],
            "meta-train": ["meta-train", "-o", str(tmp_path / "i.look"), "--iterations", "1"]}[command]
    assert main(["-q", *args, "--device", "cuda"]) == 2
    err = capsys.readouterr().err.strip()
    assert "sees no CUDA GPU" in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert not any(tmp_path.glob("o.*")) and not any(tmp_path.glob("i.*"))


def rendered_on(device: str, clip, folder, frames: int = 3):  # noqa: ANN001, ANN201 - (N, H, W, 3) float array
    """The demo look's render of ``clip`` with the network in torch on ``device`` (also tests/test_cuda.py)."""
    import numpy as np

    from filmstyle.core import video
    from filmstyle.core.assets import DEMO_LOOK

    dst = folder / f"{device}.mp4"
    assert main(["-q", "render", str(clip), "-l", str(DEMO_LOOK), "-o", str(dst), "--device", device,
                 "--max-frames", str(frames), "--backend", "torch"]) == 0
    return np.stack(list(video.read_frames(dst))).astype(float)


def test_the_cpu_device_gives_the_default_frames(tiny_clip, tmp_path):
    import numpy as np

    auto, cpu = rendered_on("auto", tiny_clip, tmp_path), rendered_on("cpu", tiny_clip, tmp_path)
    assert np.abs(auto - cpu).mean() < 0.5  # h264 is not always bit-repeatable (test_config)
