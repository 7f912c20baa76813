"""One file format for everything filmstyle writes: safetensors, with a JSON header.

Looks, meta-learned initialisations, training checkpoints and pre-trained StyleBanks are all
safetensors files whose metadata entry ``"filmstyle"`` holds JSON with:

- ``kind``: one of :data:`KINDS`, so a checkpoint is never taken for a look;
- ``format_version``: :data:`FORMAT_VERSION`; another version is refused with one line;
- ``weights_sha256``: a checksum of the tensors, so a modified file is refused rather than used;
- whatever the writer adds (a network's class and config, how it was made, a run key ...).

Files are written atomically (a temporary file beside the target, renamed when complete). Version 1
looks (round 1: kind ``filmstyle.look``) are read as version 2 looks or inits.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
from collections.abc import Sequence
from typing import Any, Protocol

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from filmstyle.core.errors import InputError, check_readable_file
from filmstyle.core.files import atomic_path

FORMAT_VERSION = 2
KINDS = {
    "look": "a look (`filmstyle adapt`)",
    "init": "an initialisation for `filmstyle adapt --init` (`filmstyle meta-train`)",
    "checkpoint": "a training checkpoint",
    "stylebank": "a pre-trained StyleBank (Table 1 baseline)",
}
_KEY = "filmstyle"
_MAX_HEADER = 100_000_000


def weights_sha256(tensors: dict[str, torch.Tensor]) -> str:
    """SHA-256 over names, dtypes, shapes and bytes of every tensor, in sorted name order."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def write(path: str | os.PathLike, tensors: dict[str, torch.Tensor], *, kind: str, meta: dict[str, Any]) -> dict[str, Any]:
    """Write ``tensors`` with ``meta`` as a file of ``kind``, atomically; returns the header written."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
    state = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    header = {**meta, "kind": kind, "format_version": FORMAT_VERSION, "weights_sha256": weights_sha256(state)}
    with atomic_path(path) as tmp:
        try:
            save_file(state, str(tmp), metadata={_KEY: json.dumps(header, sort_keys=True)})
        except SafetensorError as e:  # a full disk, or I/O, seen by the Rust writer
            raise OSError(_errno_of(str(e)), f"could not be written ({e})", str(path)) from None
    return header


def _errno_of(message: str) -> int:
    """The errno in a Rust I/O error's text ("... (os error 28)"), else EIO."""
    import re

    found = re.search(r"os error (\d+)", message)
    return int(found.group(1)) if found else errno.EIO


def _upgraded(meta: dict[str, Any]) -> dict[str, Any]:
    """A round-1 (version 1) look or init header read as version 2."""
    if meta.get("format_version") == 1 and meta.get("kind") == "filmstyle.look":
        return {**meta, "format_version": FORMAT_VERSION, "kind": "init" if meta.get("role") == "init" else "look"}
    return meta


def read_header(path: str | os.PathLike, kinds: Sequence[str], what: str = "look file") -> dict[str, Any]:
    """The JSON header of a filmstyle file, refused (InputError, one line) unless of one of ``kinds``
    and of this format version. ``what`` names the file in messages ("look file", "checkpoint")."""
    p = check_readable_file(path, what)
    hint = _hint(kinds)
    try:
        with open(p, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            if not 0 < n <= min(p.stat().st_size - 8, _MAX_HEADER):
                raise ValueError("bad header length")
            header = json.loads(f.read(n))
        meta = _upgraded(json.loads(header["__metadata__"][_KEY]))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise InputError(p, f"not a filmstyle {what} (no filmstyle metadata; corrupt or truncated?)", hint) from None
    kind = meta.get("kind")
    if kind not in kinds:
        found = KINDS.get(kind, f"kind {kind!r}")
        raise InputError(p, f"not a filmstyle {what}: it is {found}", hint)
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise InputError(p, f"{what} format version {version}, this filmstyle reads version {FORMAT_VERSION}",
                         f"use a matching filmstyle release or {hint}")
    return meta


def read(path: str | os.PathLike, kinds: Sequence[str],
         what: str = "look file") -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """(tensors, header) of a filmstyle file of one of ``kinds``, its checksum verified (InputError if not)."""
    meta = read_header(path, kinds, what)
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as e:
        raise InputError(path, f"{what} is corrupt or truncated ({e})", _hint(kinds)) from None
    if weights_sha256(tensors) != meta.get("weights_sha256"):
        raise InputError(path, f"{what} was modified: its weights do not match the checksum in its header",
                         f"use an unmodified copy or {_hint(kinds)}")
    return tensors, meta


def _hint(kinds: Sequence[str]) -> str:
    if "look" in kinds:
        return "re-create it with `filmstyle adapt`"
    if "init" in kinds:
        return "re-create it with `filmstyle meta-train`"
    return "delete it; it is re-created"


# --- training state --------------------------------------------------------------------------------

class HasState(Protocol):
    """An optimizer as far as a snapshot needs it (``torch.optim``'s, or :class:`filmstyle.training.adam.Adam`)."""

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


def snapshot(module: torch.nn.Module | None, opt: HasState | None) -> dict[str, torch.Tensor]:
    """Copies of a module's state (``net.*``) and an optimizer's per-parameter state (``opt.<i>.*``)."""
    tensors = {} if module is None else {f"net.{k}": v.detach().clone().contiguous() for k, v in module.state_dict().items()}
    for i, s in (opt.state_dict()["state"].items() if opt is not None else ()):
        tensors.update({f"opt.{i}.{k}": torch.as_tensor(v).detach().clone().contiguous() for k, v in s.items()})
    return tensors


def load_snapshot(tensors: dict[str, torch.Tensor], module: torch.nn.Module | None,
                  opt: HasState | None) -> None:
    """Put a :func:`snapshot` back into ``module`` and ``opt``."""
    if module is not None:
        module.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net.")})
    if opt is not None:
        state = opt.state_dict()
        state["state"] = {}
        for key, value in tensors.items():
            if key.startswith("opt."):
                _, i, name = key.split(".", 2)
                state["state"].setdefault(int(i), {})[name] = value
        opt.load_state_dict(state)

