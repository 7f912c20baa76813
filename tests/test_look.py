import json

import pytest
import torch
from safetensors.torch import save_file

from filmstyle.core.errors import InputError
from filmstyle.core.store import FORMAT_VERSION
from filmstyle.look import Look, load_look, read_header


def _look(seed: int = 0) -> Look:
    torch.manual_seed(seed)
    from filmstyle.nets import TransformerNet

    return Look(net=TransformerNet(width=2, depth=1).eval(), meta={"steps": 3})


def test_round_trip_gives_bit_identical_output(tmp_path):
    look = _look()
    path = look.save(tmp_path / "a.look")
    back = load_look(path)
    x = torch.rand(1, 3, 20, 28)
    with torch.inference_mode():
        assert torch.equal(look.net(x), back.net(x))
    assert back.net.config == {"width": 2, "depth": 1}
    assert back.meta["steps"] == 3 and back.meta["format_version"] == FORMAT_VERSION


def _rewrite_meta(path, change):
    from safetensors import safe_open
    from safetensors.torch import load_file

    with safe_open(str(path), "pt") as f:
        meta = json.loads(f.metadata()["filmstyle"])
    change(meta)
    save_file(load_file(str(path)), str(path), metadata={"filmstyle": json.dumps(meta)})


def test_other_version_is_refused(tmp_path):
    path = _look().save(tmp_path / "a.look")
    _rewrite_meta(path, lambda m: m.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(InputError, match="format version"):
        load_look(path)


def test_tampered_weights_are_refused(tmp_path):
    path = _look().save(tmp_path / "a.look")
    from safetensors import safe_open
    from safetensors.torch import load_file

    with safe_open(str(path), "pt") as f:
        meta = f.metadata()
    state = load_file(str(path))
    name = sorted(state)[0]
    state[name] = state[name] + 1e-3
    save_file(state, str(path), metadata=meta)
    with pytest.raises(InputError, match="modified"):
        load_look(path)


def test_truncated_and_foreign_files_are_refused(tmp_path):
    path = _look().save(tmp_path / "a.look")
    data = path.read_bytes()
    (tmp_path / "cut.look").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError):
        load_look(tmp_path / "cut.look")
    save_file({"x": torch.zeros(2)}, str(tmp_path / "other.safetensors"))
    with pytest.raises(InputError, match="not a filmstyle look"):
        read_header(tmp_path / "other.safetensors")
    (tmp_path / "junk.look").write_bytes(b"\xff" * 100)
    with pytest.raises(InputError):
        load_look(tmp_path / "junk.look")
    with pytest.raises(InputError, match="not found"):
        load_look(tmp_path / "missing.look")


def test_save_is_atomic_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "a.look"
    path.write_bytes(b"old")

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr("filmstyle.core.store.save_file", boom)
    with pytest.raises(RuntimeError):
        _look().save(path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.look"]
