"""The saved look: a transform network and the metadata of how it was made, in the one file format
of :mod:`filmstyle.core.store` (safetensors with a JSON header).

A look file rebuilds its own network: its header holds the network class and config, how it was
adapted (steps, losses, still SHA-256, init) and the weights' SHA-256, so a modified file is refused
rather than silently rendering something else. A meta-learned initialisation is the same thing of
kind ``init``: :func:`load_look` reads both (an init renders, it is only not styled yet).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filmstyle.core import store
from filmstyle.core.errors import InputError
from filmstyle.nets.transformer import TransformerNet

NETWORKS = {"TransformerNet": TransformerNet}  # class name in the header -> class


@dataclass
class Look:
    """A transform network and the metadata describing how it was made; ``kind``: "look" or "init"."""

    net: TransformerNet
    meta: dict[str, Any] = field(default_factory=dict)
    kind: str = "look"

    def save(self, path: str | os.PathLike) -> Path:
        """Write the look to ``path`` atomically."""
        meta = {**self.meta, "network": {"class": type(self.net).__name__, "config": dict(self.net.config)}}
        self.meta = store.write(path, self.net.state_dict(), kind=self.kind, meta=meta)
        return Path(path)


def read_header(path: str | os.PathLike) -> dict[str, Any]:
    """The JSON header of a look or init file, validated (kind and format version)."""
    return store.read_header(path, ("look", "init"))


def load_look(path: str | os.PathLike) -> Look:
    """Read a look or init file; InputError if it is corrupt, of another kind or version, or tampered with."""
    state, meta = store.read(path, ("look", "init"))
    net_meta = meta.get("network", {})
    try:
        cls = NETWORKS.get(net_meta.get("class"))
        if cls is None:
            raise ValueError(f"unknown network class {net_meta.get('class')!r}")
        net = cls(**net_meta["config"])
        net.load_state_dict(state)
    except (ValueError, TypeError, KeyError, RuntimeError) as e:
        raise InputError(path, f"look file does not describe a usable network ({str(e).splitlines()[0]})",
                         "re-create it with `filmstyle adapt`") from None
    return Look(net=net.eval(), meta=meta, kind=meta["kind"])
