"""Training checkpoints: a network and its optimizer state in one safetensors file.

Shared by adaptation (``filmstyle adapt``) and meta-training. A checkpoint carries a ``kind`` and
a ``run_key`` in its JSON metadata; it is restored only into the run that wrote it.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from filmstyle.core.files import atomic_path

log = logging.getLogger(__name__)


def snapshot(net: torch.nn.Module, opt: torch.optim.Optimizer | None) -> dict[str, torch.Tensor]:
    """Copies of the network's state (``net.*``) and the optimizer's per-parameter state (``opt.<i>.*``)."""
    tensors = {f"net.{k}": v.detach().clone().contiguous() for k, v in net.state_dict().items()}
    for i, s in (opt.state_dict()["state"].items() if opt is not None else ()):
        tensors.update({f"opt.{i}.{k}": torch.as_tensor(v).detach().clone().contiguous() for k, v in s.items()})
    return tensors


def save(path: Path, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    """Write ``tensors`` with JSON ``meta`` (must hold ``kind`` and ``run_key``) atomically."""
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"filmstyle": json.dumps(meta)})


def restore(path: Path, net: torch.nn.Module, opt: torch.optim.Optimizer | None, *, kind: str,
            run_key: str) -> dict[str, Any] | None:
    """Load a checkpoint of this run (same ``kind`` and ``run_key``) into ``net`` and ``opt``.

    Returns its metadata, or None (with a warning) if it is unreadable or another run's.
    """
    try:
        with safe_open(str(path), "pt") as f:
            meta = json.loads((f.metadata() or {}).get("filmstyle", "{}"))
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as e:
        log.warning("ignoring unreadable checkpoint %s (%s)", path, e)
        return None
    if meta.get("kind") != kind or meta.get("run_key") != run_key:
        log.warning("ignoring checkpoint %s: it belongs to another run (settings, data or init differ)", path)
        return None
    net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net.")})
    if opt is not None:
        state = opt.state_dict()
        state["state"] = {}
        for key, value in tensors.items():
            if key.startswith("opt."):
                _, i, name = key.split(".", 2)
                state["state"].setdefault(int(i), {})[name] = value
        opt.load_state_dict(state)
    return meta
