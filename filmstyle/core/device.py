"""Where torch computes (``--device``): a CUDA GPU when asked for or, with "auto", when torch sees
one; the CPU otherwise. Nothing is assumed: a CPU build of torch, or a machine without a driver,
gets the CPU under "auto" and one clear line under "cuda"."""
from __future__ import annotations

import torch

from filmstyle.core.config import DEVICES
from filmstyle.core.errors import InputError


def resolve_device(name: str | torch.device) -> torch.device:
    """``name`` ("auto", "cpu" or "cuda", as :data:`filmstyle.core.config.DEVICES`) as a torch device
    (a torch device is returned as it is). InputError for "cuda" where torch sees no GPU, and for an
    unknown name."""
    if isinstance(name, torch.device):
        return name
    if name not in DEVICES:
        raise InputError(None, f"unknown --device {name!r}", f"use one of: {', '.join(DEVICES)}")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError(None, f"--device cuda: torch {torch.__version__} sees no CUDA GPU",
                         "use --device cpu (or auto), or install a CUDA build of torch on a machine with a GPU")
    return torch.device(name)
