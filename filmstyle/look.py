"""The saved look: a transform network and the metadata of how it was made, in the one file format
of :mod:`filmstyle.core.store` (safetensors with a JSON header).

A look file rebuilds its own network: its header holds the network class and config, how it was
adapted (steps, losses, still SHA-256, init) and the weights' SHA-256, so a modified file is refused
rather than silently rendering something else. A meta-learned initialisation is the same thing of
kind ``init``: :func:`load_look` reads both (an init renders, it is only not styled yet).

A look made by ``adapt`` also keeps a thumbnail of its still (:data:`STILL_KEY`, uint8), from which
``render --tone grade`` fits the look's colour grade to each clip it renders.

:func:`export_onnx` writes the look's network as an ONNX model that carries the look's header with it.
"""
from __future__ import annotations

import base64
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from filmstyle.core import store
from filmstyle.core.errors import InputError
from filmstyle.core.files import atomic_path, check_writable
from filmstyle.nets.onnx import INPUT, OUTPUT, to_onnx
from filmstyle.nets.transformer import TransformerNet

NETWORKS = {"TransformerNet": TransformerNet}  # class name in the header -> class
STILL_KEY = "look.still"  # tensor name of the still's thumbnail, (H, W, 3) uint8; not a network weight


@dataclass
class Look:
    """A transform network and the metadata describing how it was made; ``kind``: "look" or "init".
    ``still``: a thumbnail of the still, (H, W, 3) uint8 RGB, or None (inits, round-1 looks)."""

    net: TransformerNet
    meta: dict[str, Any] = field(default_factory=dict)
    kind: str = "look"
    still: np.ndarray | None = None

    def header(self) -> dict[str, Any]:
        """The look's metadata with its network's class and config: what a look file's header and an
        exported ONNX model (:func:`export_onnx`) carry."""
        return {**self.meta, "network": {"class": type(self.net).__name__, "config": dict(self.net.config)}}

    def save(self, path: str | os.PathLike) -> Path:
        """Write the look to ``path`` atomically."""
        meta = self.header()
        tensors = dict(self.net.state_dict())
        if self.still is not None:
            tensors[STILL_KEY] = torch.from_numpy(np.ascontiguousarray(self.still, dtype=np.uint8))
        self.meta = store.write(path, tensors, kind=self.kind, meta=meta)
        return Path(path)


def read_header(path: str | os.PathLike) -> dict[str, Any]:
    """The JSON header of a look or init file, validated (kind and format version)."""
    return store.read_header(path, ("look", "init"))


def load_look(path: str | os.PathLike) -> Look:
    """Read a look or init file; InputError if it is corrupt, of another kind or version, or tampered with."""
    state, meta = store.read(path, ("look", "init"))
    net_meta = meta.get("network", {})
    still = state.pop(STILL_KEY, None)
    try:
        if still is not None and (still.dtype != torch.uint8 or still.ndim != 3 or still.shape[2] != 3):
            raise ValueError(f"the still's thumbnail is {tuple(still.shape)} {still.dtype}, not (H, W, 3) uint8")
        cls = NETWORKS.get(net_meta.get("class"))
        if cls is None:
            raise ValueError(f"unknown network class {net_meta.get('class')!r}")
        net = cls(**net_meta["config"])
        net.load_state_dict(state)
    except (ValueError, TypeError, KeyError, RuntimeError) as e:
        raise InputError(path, f"look file does not describe a usable network ({str(e).splitlines()[0]})",
                         "re-create it with `filmstyle adapt`") from None
    return Look(net=net.eval(), meta=meta, kind=meta["kind"], still=None if still is None else still.numpy())


ONNX_DOC = (f"A filmstyle look's transform network. Input {INPUT!r}: (B, 3, H, W) float32 RGB in [0, 1], any "
            f"B, H, W >= 1. Output {OUTPUT!r}: (B, 3, H, W), unclamped (clamp to [0, 1]). metadata_props: "
            "filmstyle.name, filmstyle.look (the look's JSON header), filmstyle.still (its still's thumbnail, "
            "a base64 PNG, when kept).")


def export_onnx(look: Look, path: str | os.PathLike, *, name: str | None = None) -> Path:
    """Write ``look``'s network to ``path`` (.onnx) as an ONNX model with dynamic size, the padding
    inside the graph (:func:`filmstyle.nets.onnx.to_onnx`), atomically. The model's ``metadata_props``
    describe the look: ``filmstyle.name`` (``name``, default the file's stem), ``filmstyle.look`` (the
    look's header, JSON) and, when the look keeps one, ``filmstyle.still`` (its still's thumbnail as a
    base64 PNG, from which a grade can be fitted). InputError for another suffix or an unwritable path,
    or without the onnx extra."""
    path = Path(path)
    if path.suffix.lower() != ".onnx":
        raise InputError(path, "an ONNX model is written to a .onnx file", "name the output e.g. look.onnx")
    check_writable(path)
    props = {"filmstyle.name": name or path.stem, "filmstyle.look": json.dumps(look.header(), sort_keys=True)}
    if look.still is not None:
        from PIL import Image

        png = io.BytesIO()
        Image.fromarray(look.still).save(png, format="PNG")
        props["filmstyle.still"] = base64.b64encode(png.getvalue()).decode("ascii")
    model = to_onnx(look.net, metadata=props, doc=ONNX_DOC)
    with atomic_path(path) as tmp:
        tmp.write_bytes(model)
    return path
