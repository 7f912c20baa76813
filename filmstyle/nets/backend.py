"""What runs the transform network in render and stylize (``RenderOptions.backend``): each backend
turns a network into a callable ``(1, 3, H, W)`` float RGB in [0, 1] -> the same size, unclamped."""
from __future__ import annotations

import importlib.util
from collections.abc import Callable

import torch
from torch import nn

from filmstyle.core.errors import InputError
from filmstyle.nets.onnx import OnnxNet  # imports onnxruntime only when a session is made
from filmstyle.nets.transformer import TransformerNet

Network = Callable[[torch.Tensor], torch.Tensor]


def _torch(net: nn.Module) -> Network:
    return net.eval()


def _onnx(net: nn.Module) -> Network:
    if not isinstance(net, TransformerNet):
        raise InputError(None, f"the onnx backend exports a TransformerNet, not a {type(net).__name__}",
                         "use --backend torch")
    return OnnxNet.from_net(net)


# keyed by filmstyle.core.config.BACKENDS
BACKENDS: dict[str, Callable[[nn.Module], Network]] = {"torch": _torch, "onnx": _onnx}


def onnx_installed() -> bool:
    """Whether the ``onnx`` extra's runtime and exporter can be imported (without importing them)."""
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnxscript", "onnx"))


def choose(backend: str, net: nn.Module, *, frames: int | None = None) -> str:
    """The backend ``backend`` names: itself, or for "auto" "onnx" when the extra is installed, ``net``
    can be exported (a :class:`TransformerNet`) and more than one frame is to be run (a video:
    ``frames`` None or > 1), else "torch". The onnx backend runs the network faster per frame on a CPU,
    but its export takes seconds, once per network: one image does not repay it (measured:
    docs/results/speed.md)."""
    if backend != "auto":
        return backend
    video = frames is None or frames > 1
    return "onnx" if video and isinstance(net, TransformerNet) and onnx_installed() else "torch"


def network(net: nn.Module, backend: str, *, frames: int | None = None) -> Network:
    """``net`` run by ``backend`` ("torch": the module itself, in eval mode; "onnx": an ONNX Runtime
    session of it, exported in memory, a few seconds; "auto": :func:`choose`). InputError from "onnx"
    without the onnx extra or for a network other than a :class:`TransformerNet`."""
    return BACKENDS[choose(backend, net, frames=frames)](net)
