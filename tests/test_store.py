"""The one file format: kinds, versions, checksums, and round-1 looks read as version 2."""
from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import save_file

from filmstyle.core import store
from filmstyle.core.errors import InputError
from filmstyle.look import Look, load_look
from filmstyle.nets.transformer import TransformerNet


def test_every_kind_round_trips_and_the_wrong_kind_is_one_clear_line(tmp_path):
    tensors = {"w": torch.arange(6.0).view(2, 3), "step": torch.tensor(3.0)}  # a 0-dim tensor too
    for kind in store.KINDS:
        path = tmp_path / f"{kind}.safetensors"
        store.write(path, tensors, kind=kind, meta={"x": 1})
        back, meta = store.read(path, (kind,))
        assert meta["kind"] == kind and meta["x"] == 1 and torch.equal(back["w"], tensors["w"])
    with pytest.raises(InputError, match="it is a training checkpoint") as e:
        load_look(tmp_path / "checkpoint.safetensors")
    assert "\n" not in str(e.value)


def test_round_one_looks_are_read_as_version_two(tmp_path):
    torch.manual_seed(0)
    net = TransformerNet(width=2, depth=1)
    state = {k: v.contiguous() for k, v in net.state_dict().items()}
    for role, kind in ((None, "look"), ("init", "init")):
        meta = {"kind": "filmstyle.look", "format_version": 1, "weights_sha256": store.weights_sha256(state),
                "network": {"class": "TransformerNet", "config": net.config}, **({"role": role} if role else {})}
        path = tmp_path / f"{kind}.look"
        save_file(state, str(path), metadata={"filmstyle": json.dumps(meta)})
        look = load_look(path)
        assert look.kind == kind and look.meta["format_version"] == store.FORMAT_VERSION


def test_shipped_files_are_current():
    from filmstyle.core.assets import DEMO_LOOK, SHIPPED_INITS

    assert store.read_header(DEMO_LOOK, ("look",))["format_version"] == store.FORMAT_VERSION
    for init in SHIPPED_INITS.values():
        assert store.read_header(init, ("init",))["kind"] == "init"


def test_a_look_is_saved_with_its_kind(tmp_path):
    path = Look(TransformerNet(width=2, depth=1), {"steps": 1}, kind="init").save(tmp_path / "i.look")
    assert load_look(path).kind == "init"
    with pytest.raises(ValueError):
        store.write(tmp_path / "x", {}, kind="bogus", meta={})
