"""The saved look: transform-network weights (safetensors) with JSON metadata in the header.

A look file rebuilds its own network: the metadata holds the format version, the network class
and config, how it was adapted (steps, losses, still SHA-256, init) and a SHA-256 of the weights so
a modified file is refused rather than silently rendering something else.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from filmstyle.core.errors import InputError, check_readable_file
from filmstyle.core.files import atomic_path
from filmstyle.nets.transformer import TransformerNet

FORMAT_VERSION = 1
KIND = "filmstyle.look"
_HINT_RECREATE = "re-create it with `filmstyle adapt`"


def weights_sha256(state: dict[str, torch.Tensor]) -> str:
    """SHA-256 over names, dtypes, shapes and bytes of every tensor, in sorted name order."""
    h = hashlib.sha256()
    for name in sorted(state):
        t = state[name].detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


@dataclass
class Look:
    """A transform network and the metadata describing how it was made."""

    net: TransformerNet
    meta: dict[str, Any] = field(default_factory=dict)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the look to ``path`` atomically (safetensors; metadata as JSON in the header)."""
        state = {k: v.detach().cpu().contiguous() for k, v in self.net.state_dict().items()}
        meta = {**self.meta, "format_version": FORMAT_VERSION, "kind": KIND,
                "network": {"class": "TransformerNet", "config": dict(self.net.config)},
                "weights_sha256": weights_sha256(state)}
        with atomic_path(path) as tmp:
            save_file(state, str(tmp), metadata={"filmstyle": json.dumps(meta, sort_keys=True)})
        self.meta = meta
        return Path(path)


def read_header(path: str | os.PathLike) -> dict[str, Any]:
    """The JSON metadata of a look file, validated (kind and format version)."""
    p = check_readable_file(path, "look file")
    try:
        with open(p, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            if not 0 < n <= min(p.stat().st_size - 8, 100_000_000):
                raise ValueError("bad header length")
            header = json.loads(f.read(n))
        meta = json.loads(header["__metadata__"]["filmstyle"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise InputError(p, "not a filmstyle look file (no filmstyle metadata; corrupt or truncated?)", _HINT_RECREATE) from None
    if meta.get("kind") != KIND:
        raise InputError(p, f"not a filmstyle look file (kind {meta.get('kind')!r})", _HINT_RECREATE)
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise InputError(p, f"look file format version {version}, this filmstyle reads version {FORMAT_VERSION}",
                         f"use a matching filmstyle release or {_HINT_RECREATE}")
    return meta


def load_look(path: str | os.PathLike) -> Look:
    """Read a look file; raises InputError if it is corrupt, of another version or tampered with."""
    meta = read_header(path)
    try:
        state = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as e:
        raise InputError(path, f"look file is corrupt or truncated ({e})", _HINT_RECREATE) from None
    if weights_sha256(state) != meta.get("weights_sha256"):
        raise InputError(path, "look file was modified: its weights do not match the checksum in its header",
                         f"use an unmodified copy or {_HINT_RECREATE}")
    net_meta = meta.get("network", {})
    try:
        if net_meta.get("class") != "TransformerNet":
            raise ValueError(f"unknown network class {net_meta.get('class')!r}")
        net = TransformerNet(**net_meta["config"])
        net.load_state_dict(state)
    except (ValueError, TypeError, KeyError, RuntimeError) as e:
        raise InputError(path, f"look file does not describe a usable network ({str(e).splitlines()[0]})", _HINT_RECREATE) from None
    return Look(net=net.eval(), meta=meta)
