"""The ONNX export and the onnx backend: the graph pads by itself, so every size (odd, tiny) gives
what torch gives; the export command writes a self-describing model or refuses in one line; render
and stylize run on either backend with the same frames within a level.

The tests that export need the onnx extra (`pip install -e '.[test,onnx]'`, what `make test` and CI
install); outside CI they are skipped without it."""
from __future__ import annotations

import base64
import io
import json
import os
import sys

import numpy as np
import pytest
import torch

from filmstyle._cli import main
from filmstyle.core import config, video
from filmstyle.core.config import RenderOptions
from filmstyle.core.errors import InputError
from filmstyle.look import Look, load_look
from filmstyle.nets import backend
from filmstyle.nets.onnx import OnnxNet, PaddedNet, to_onnx
from filmstyle.nets.transformer import TransformerNet
from filmstyle.render import make_stylizer, render_video

# odd, tiny (below the 8 px the network pads to; below 4: replicated, not reflected) and a 360p frame
SIZES = [(1, 1), (2, 5), (4, 4), (5, 7), (7, 12), (17, 23), (33, 47), (361, 641)]


@pytest.fixture
def onnx_extra() -> None:
    if not backend.onnx_installed() and not os.environ.get("CI"):
        pytest.skip("the onnx extra is not installed (pip install -e '.[test,onnx]'); CI installs it")


def _net(**kw) -> TransformerNet:  # noqa: ANN003
    """A tiny network whose weights are far from the initial ones (instance norm's affine included)."""
    torch.manual_seed(0)
    net = TransformerNet(**kw).eval()
    with torch.no_grad():
        for p in net.parameters():
            p.add_(torch.randn_like(p) * 0.2)
    return net


@pytest.fixture(scope="module")
def tiny_session():  # noqa: ANN201 - (net, OnnxNet), exported once for the module
    if not backend.onnx_installed() and not os.environ.get("CI"):
        pytest.skip("the onnx extra is not installed")
    net = _net(width=3, depth=1)
    return net, OnnxNet(to_onnx(net), threads=1)


def _still() -> np.ndarray:
    return np.random.default_rng(3).integers(0, 256, (24, 32, 3), dtype=np.uint8)


def test_padding_as_tensor_operations_is_forwards_padding():
    # the graph's padding (index arithmetic, one where for the mode) against forward's branches,
    # in torch and exactly, on every size from 1 to 13 px a side
    net = _net(width=2, depth=1)
    padded = PaddedNet(net).eval()
    with torch.inference_mode():
        for h in range(1, 14):
            for w in (1, 3, 4, 8, 9, 13):
                x = torch.rand(1, 3, h, w)
                assert torch.equal(padded(x), net(x)), (h, w)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exported_graph_gives_torchs_output_at_any_size(tiny_session, size):
    net, session = tiny_session
    x = torch.rand(1, 3, *size, generator=torch.Generator().manual_seed(sum(size)))
    with torch.inference_mode():
        ref = net(x)
    out = session(x)
    assert out.shape == ref.shape == (1, 3, *size)
    assert float((out - ref).abs().max()) < 1e-4
    assert float(ref.std()) > 0 or size == (1, 1)  # a real output, not a constant


def test_exported_graph_takes_a_batch(tiny_session):
    net, session = tiny_session
    x = torch.rand(3, 3, 9, 14)
    with torch.inference_mode():
        assert float((session(x) - net(x)).abs().max()) < 1e-4
    with pytest.raises(ValueError, match="expected"):
        session(torch.rand(1, 4, 8, 8))


def test_a_lean_variant_exports(onnx_extra):
    net = _net(width=4, depth=1, end_kernel=3, decoder=(4, 2))
    session = OnnxNet.from_net(net, threads=1)
    for size in [(5, 6), (17, 23)]:
        x = torch.rand(1, 3, *size)
        with torch.inference_mode():
            assert float((session(x) - net(x)).abs().max()) < 1e-4


def test_export_command_writes_a_self_describing_model(onnx_extra, tmp_path, capsys):
    import onnx

    look_path = Look(_net(width=2, depth=1), meta={"still": {"name": "frame.png"}}, still=_still()).save(tmp_path / "noir.look")
    out = tmp_path / "noir.onnx"
    assert main(["-q", "export", str(look_path), "-o", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}: ONNX opset {config.ONNX_OPSET}")
    model = onnx.load(str(out))
    onnx.checker.check_model(model)
    assert model.opset_import[0].version == config.ONNX_OPSET
    props = {p.key: p.value for p in model.metadata_props}
    look = load_look(look_path)
    assert props["filmstyle.name"] == "noir"
    header = json.loads(props["filmstyle.look"])
    assert header["weights_sha256"] == look.meta["weights_sha256"] and header["still"]["name"] == "frame.png"
    assert header["network"] == {"class": "TransformerNet", "config": {"width": 2, "depth": 1}}
    from PIL import Image

    still = np.asarray(Image.open(io.BytesIO(base64.b64decode(props["filmstyle.still"]))))
    assert np.array_equal(still, look.still)
    for value in (model.graph.input[0], model.graph.output[0]):
        assert [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim] == ["batch", 3, "height", "width"]
    session = OnnxNet(out, threads=1)  # the file runs, and as the look does
    assert session.metadata["filmstyle.name"] == "noir"
    x = torch.rand(1, 3, 19, 27)
    with torch.inference_mode():
        assert float((session(x) - look.net(x)).abs().max()) < 1e-4
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []  # written atomically


def test_export_command_refuses_bad_input_in_one_line(tmp_path, capsys):
    look_path = Look(TransformerNet(width=2, depth=1)).save(tmp_path / "t.look")
    (tmp_path / "notes.look").write_text("not a look")
    cases = [([str(tmp_path / "missing.look"), "-o", str(tmp_path / "a.onnx")], "not found"),
             ([str(tmp_path / "notes.look"), "-o", str(tmp_path / "a.onnx")], "not a filmstyle look"),
             ([str(look_path), "-o", str(tmp_path / "no" / "a.onnx")], "does not exist"),
             ([str(look_path), "-o", str(tmp_path / "a.look")], ".onnx")]
    for args, problem in cases:
        assert main(["-q", "export", *args]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("filmstyle export: error:") and problem in err, err
    assert not list(tmp_path.glob("*.onnx"))


def test_without_the_extra_onnx_is_refused_in_one_line_and_auto_is_torch(tmp_path, tiny_clip, monkeypatch, capsys):
    for module in ("onnxruntime", "onnxscript", "onnx"):
        monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    monkeypatch.setattr(backend, "onnx_installed", lambda: False)
    with pytest.raises(InputError, match=r"pip install 'filmstyle\[onnx\]'"):
        OnnxNet(b"")
    look_path = Look(TransformerNet(width=2, depth=1)).save(tmp_path / "t.look")
    for command in (["export", str(look_path), "-o", str(tmp_path / "t.onnx")],
                    ["render", str(tiny_clip), "-l", str(look_path), "-o", str(tmp_path / "o.mp4"), "--backend", "onnx"]):
        assert main(["-q", *command]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "pip install 'filmstyle[onnx]'" in err, err
    assert backend.choose("auto", TransformerNet(width=2, depth=1)) == "torch"
    assert not (tmp_path / "o.mp4").exists()


def test_auto_takes_onnx_for_a_video_of_an_exportable_network_only(onnx_extra):
    net = TransformerNet(width=2, depth=1)
    assert backend.choose("auto", net) == "onnx"
    assert backend.choose("auto", net, frames=1) == "torch"  # one image does not repay the export
    assert backend.choose("auto", torch.nn.Identity()) == "torch"
    assert backend.choose("torch", net) == "torch" and backend.choose("onnx", net, frames=1) == "onnx"
    with pytest.raises(InputError, match="TransformerNet"):
        backend.network(torch.nn.Identity(), "onnx")
    assert RenderOptions().backend == "auto"
    with pytest.raises(InputError, match="--backend"):
        RenderOptions(backend="tensorrt")


def test_render_on_the_onnx_backend_gives_torchs_frames_within_a_level(onnx_extra, tiny_clip, tmp_path, capsys):
    look = Look(_net(width=2, depth=1), still=_still())
    frames = list(video.read_frames(tiny_clip))
    outs = {}
    for name in ("torch", "onnx"):
        stylizer = make_stylizer(look, tiny_clip, RenderOptions(backend=name))
        assert stylizer.backend == name
        outs[name] = np.stack([stylizer(f) for f in frames]).astype(int)
    assert np.abs(outs["onnx"] - outs["torch"]).max() <= 1
    assert np.abs(outs["torch"] - np.stack(frames)).mean() > 2  # the look does something
    # the command, through an intra-only encoder (h264 re-decides its blocks and the frames that follow
    # on inputs one level apart: ~1 level on average, docs/results/speed.md)
    look_path = look.save(tmp_path / "t.look")
    for name in ("torch", "onnx"):
        assert main(["-q", "render", str(tiny_clip), "-l", str(look_path), "-o", str(tmp_path / f"{name}.mov"),
                     "--backend", name, "--codec", "prores"]) == 0
        assert f"FPS ({name})" in capsys.readouterr().out
    a, b = (np.stack(list(video.read_frames(tmp_path / f"{n}.mov"))).astype(np.float32) for n in ("torch", "onnx"))
    # 0.02-0.11 seen: the tiny clip's decoded frames vary a little from one test process to the next, and
    # with them which values round one level apart
    assert a.shape == b.shape and float(np.abs(a - b).mean()) < 0.25
    stats = render_video(look, tiny_clip, tmp_path / "auto.mp4", RenderOptions(max_frames=2, tone="none"))
    assert stats.backend == "onnx" and stats.frames == 2


def test_stylize_on_the_onnx_backend(onnx_extra, tmp_path):
    from PIL import Image

    from filmstyle.core.image import load_image

    img = tmp_path / "in.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (37, 53, 3), dtype=np.uint8)).save(img)
    look_path = Look(_net(width=2, depth=1), still=_still()).save(tmp_path / "t.look")
    for name in ("torch", "onnx"):
        for tone in ("grade", "none"):
            assert main(["-q", "stylize", str(img), "-l", str(look_path), "-o", str(tmp_path / f"{name}{tone}.png"),
                         "--backend", name, "--tone", tone]) == 0
    for tone in ("grade", "none"):
        a, b = (load_image(tmp_path / f"{n}{tone}.png", min_side=1) for n in ("torch", "onnx"))
        assert float((a - b).abs().max()) <= 1 / 255 + 1e-6


def test_an_architecture_is_traced_once_and_takes_any_weights(onnx_extra, tmp_path, monkeypatch):
    import filmstyle.nets.onnx as onnx_mod

    traced = []
    trace = onnx_mod._trace
    monkeypatch.setattr(onnx_mod, "_trace", lambda net: traced.append(net) or trace(net))
    monkeypatch.setattr(onnx_mod, "_TEMPLATES", {})
    monkeypatch.setattr(onnx_mod, "_EXPORTED", {})
    first = TransformerNet(width=2, depth=1)
    onnx_mod.OnnxNet.from_net(first, cache=tmp_path)
    assert len(traced) == 1 and len(list(tmp_path.glob("*.onnx"))) == 1
    monkeypatch.setattr(onnx_mod, "_TEMPLATES", {})  # a new process: nothing in memory, the export on disk
    monkeypatch.setattr(onnx_mod, "_EXPORTED", {})
    torch.manual_seed(5)
    other = TransformerNet(width=2, depth=1)  # other weights, the same architecture
    session = onnx_mod.OnnxNet.from_net(other, cache=tmp_path)
    assert len(traced) == 1  # not traced again
    x = torch.rand(2, 3, 21, 30)
    with torch.no_grad():
        want = other.eval()(x)
    assert float((session(x) - want).abs().max()) < 1e-4
    with torch.no_grad():
        assert float((first.eval()(x) - want).abs().max()) > 1e-2  # the weights differ, so the test can see them
    onnx_mod.OnnxNet.from_net(TransformerNet(width=3, depth=1), cache=tmp_path)  # another architecture
    assert len(traced) == 2 and len(list(tmp_path.glob("*.onnx"))) == 2


def test_weights_that_do_not_line_up_are_refused_and_the_network_traced(onnx_extra, tmp_path, monkeypatch):
    import onnx

    import filmstyle.nets.onnx as onnx_mod

    net = TransformerNet(width=2, depth=1)
    assert onnx_mod.with_weights(onnx_mod._trace(net), net) is None  # a new net's equal scales are merged
    model = onnx_mod._trace(onnx_mod._distinct(net))
    assert onnx_mod.with_weights(model, net) is not None
    assert onnx_mod.with_weights(model, TransformerNet(width=3, depth=1)) is None  # other shapes
    renamed = onnx.load_from_string(model)
    renamed.graph.initializer[0].name = "net.not_a_parameter"
    assert onnx_mod.with_weights(renamed.SerializeToString(), net) is None
    # an export the weights do not fit, or one that computes something else, is not used
    deeper = onnx_mod._trace(TransformerNet(width=2, depth=2))
    traced = []
    trace = onnx_mod._trace
    monkeypatch.setattr(onnx_mod, "_trace", lambda n: traced.append(n) or trace(n))
    x = torch.rand(1, 3, 16, 20)
    for template, agrees in ((deeper, True), (model, False)):
        monkeypatch.setattr(onnx_mod, "_templates", lambda n, folder, t=template: iter([t]))
        monkeypatch.setattr(onnx_mod, "_agrees", lambda m, n, a=agrees: a)
        traced.clear()
        session = onnx_mod.OnnxNet(onnx_mod.to_onnx(net, cache=tmp_path), threads=1)
        assert traced == [net]
        with torch.no_grad():
            assert float((session(x) - net.eval()(x)).abs().max()) < 1e-4


def test_the_shipped_looks_architecture_needs_no_trace(onnx_extra, tmp_path, monkeypatch):
    import filmstyle.nets.onnx as onnx_mod
    from filmstyle.core.assets import DEMO_LOOK, SHIPPED_INITS
    from filmstyle.look import load_look

    def no_trace(net):
        raise AssertionError("traced")

    monkeypatch.setattr(onnx_mod, "_trace", no_trace)
    monkeypatch.setattr(onnx_mod, "_TEMPLATES", {})
    x = torch.rand(1, 3, 37, 50)
    for path in (*SHIPPED_INITS.values(), DEMO_LOOK):
        net = load_look(path).net
        assert onnx_mod.shipped_template(net).stat().st_size < 100_000  # zeroed weights, gzipped
        session = onnx_mod.OnnxNet(onnx_mod.to_onnx(net, cache=tmp_path), threads=1)
        with torch.no_grad():
            assert float((session(x) - net.eval()(x)).abs().max()) < 1e-4
    assert not list(tmp_path.iterdir())  # nothing traced, nothing written
