"""What runs the transform network in render and stylize (``RenderOptions.backend``): each backend
turns a network into a callable ``(1, 3, H, W)`` float RGB in [0, 1] -> the same size, unclamped."""
from __future__ import annotations

import copy
import importlib.util
from collections.abc import Callable

import torch
from torch import nn

from filmstyle.core.errors import InputError
from filmstyle.nets.onnx import OnnxNet  # imports onnxruntime only when a session is made
from filmstyle.nets.transformer import TransformerNet

Network = Callable[[torch.Tensor], torch.Tensor]


def _torch(net: nn.Module, device: torch.device) -> Network:
    if device.type == "cpu":
        return net.eval()
    moved = copy.deepcopy(net).eval().to(device)  # the caller's network stays where it is

    def run(x: torch.Tensor) -> torch.Tensor:
        return moved(x.to(device, non_blocking=True)).cpu()

    return run


def _onnx(net: nn.Module, device: torch.device) -> Network:
    if not isinstance(net, TransformerNet):
        raise InputError(None, f"the onnx backend exports a TransformerNet, not a {type(net).__name__}",
                         "use --backend torch")
    return OnnxNet.from_net(net, cuda=device.type == "cuda")


# keyed by filmstyle.core.config.BACKENDS; each takes the network and the torch device to run on
BACKENDS: dict[str, Callable[[nn.Module, torch.device], Network]] = {"torch": _torch, "onnx": _onnx}


def onnx_installed() -> bool:
    """Whether the ``onnx`` extra's runtime and exporter can be imported (without importing them)."""
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnxscript", "onnx"))


def choose(backend: str, net: nn.Module, *, frames: int | None = None, device: torch.device | None = None) -> str:
    """The backend ``backend`` names: itself, or for "auto" "onnx" when the extra is installed, ``net``
    can be exported (a :class:`TransformerNet`), more than one frame is to be run (a video:
    ``frames`` None or > 1) and the device is the CPU, else "torch". On a CPU the onnx backend runs
    the network faster per frame, but its export takes seconds, once per network: one image does not
    repay it (measured: docs/results/speed.md). On a GPU torch runs it natively."""
    if backend != "auto":
        return backend
    video = frames is None or frames > 1
    cpu = device is None or device.type == "cpu"
    return "onnx" if video and cpu and isinstance(net, TransformerNet) and onnx_installed() else "torch"


def network(net: nn.Module, backend: str, *, frames: int | None = None, device: torch.device | None = None) -> Network:
    """``net`` run by ``backend`` on ``device`` (default the CPU); called with and returning CPU tensors.
    "torch": the module itself, in eval mode (on a GPU, a copy moved there); "onnx": an ONNX Runtime
    session of it, exported once (a few seconds; then cached on disk), on a GPU through onnxruntime's
    CUDA provider; "auto": :func:`choose`. InputError from "onnx" without the onnx extra (or, on a
    GPU, without onnxruntime-gpu) or for a network other than a :class:`TransformerNet`."""
    device = device if device is not None else torch.device("cpu")
    return BACKENDS[choose(backend, net, frames=frames, device=device)](net, device)
