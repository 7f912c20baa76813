"""The 3D LUT: lookup against colour-science and FFmpeg (lut3d, haldclut), files, strength."""
from __future__ import annotations

import warnings
from fractions import Fraction
from pathlib import Path

import av
import av.filter
import numpy as np
import pytest
import torch

from filmstyle.core.errors import InputError
from filmstyle.grading.fit import trilinear_torch
from filmstyle.lut.lut3d import (
    LUT3D,
    apply_packed,
    hald_level,
    lattice,
    packed_table,
    read_lut,
    write_lut,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # colour-science warns that the optional SciPy is missing
    import colour


def _random_lut(size: int = 5, seed: int = 0) -> LUT3D:
    return LUT3D(np.random.default_rng(seed).random((size, size, size, 3), dtype=np.float32))


def _graded_lut(size: int = 9) -> LUT3D:
    """A smooth, film-like grade: a tone curve per channel plus some cross-talk."""
    x = lattice(size)
    out = np.stack([x[..., 0] ** 0.8, 0.9 * x[..., 1] + 0.1 * x[..., 0], x[..., 2] ** 1.3 * 0.9 + 0.05], -1)
    return LUT3D(np.clip(out, 0, 1))


def _image(h: int = 48, w: int = 64, seed: int = 1) -> np.ndarray:
    img = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    img[0, :, :] = np.linspace(0, 255, w).round().astype(np.uint8)[:, None]  # greys, ends included
    return img


def _ffmpeg(img: np.ndarray, filters: list[tuple[str, str]], extra: np.ndarray | None = None) -> np.ndarray:
    """Run an RGB image through an FFmpeg filter chain with PyAV's filter graph (a 2nd input: ``extra``)."""
    graph = av.filter.Graph()
    h, w = img.shape[:2]
    src = graph.add_buffer(width=w, height=h, format="rgb24", time_base=Fraction(1, 25))
    nodes = [graph.add(name, args) for name, args in filters]
    graph.link_nodes(src, *nodes, graph.add("buffersink"))
    sources = [(src, img)]
    if extra is not None:
        second = graph.add_buffer(width=extra.shape[1], height=extra.shape[0], format="rgb48le",
                                  time_base=Fraction(1, 25), name="clut")
        second.link_to(nodes[0], 0, 1)
        sources.append((second, extra))
    graph.configure()
    for node, data in sources:
        frame = av.VideoFrame.from_ndarray(data, format="rgb24" if data.dtype == np.uint8 else "rgb48le")
        frame.pts = 0
        node.push(frame)
    return graph.vpull().to_ndarray()


def test_ffmpeg_has_the_lut_filters():
    assert {"lut3d", "haldclut"} <= av.filter.filters_available


@pytest.mark.parametrize("size", [17, 33, 65])
def test_identity_cube_round_trip_is_exact(size, tmp_path):
    path = write_lut(LUT3D.identity(size), tmp_path / "id.cube")
    back = read_lut(path)
    assert back.size == size
    np.testing.assert_array_equal(back.table, LUT3D.identity(size).table)


def test_cube_is_red_fastest_against_a_hand_written_file(tmp_path):
    # Adobe Cube LUT Specification 1.0: the red index changes fastest, then green, then blue.
    lines = ["0 0 0", "1 0 0", "0 1 0", "1 1 0", "0 0 1", "1 0 1", "0 1 1", "1 1 1"]
    swapped = [f"{b} {g} {r}" for r, g, b in (line.split() for line in lines)]  # output = input with R and B swapped
    path = tmp_path / "swap.cube"
    path.write_text('TITLE "swap red and blue"\nLUT_3D_SIZE 2\n' + "\n".join(swapped) + "\n")
    lut = read_lut(path)
    np.testing.assert_array_equal(lut.table[1, 0, 0], [0, 0, 1])  # pure red in -> pure blue out
    np.testing.assert_array_equal(lut.table[0, 1, 0], [0, 1, 0])
    np.testing.assert_array_equal(lut.table[0, 0, 1], [1, 0, 0])
    np.testing.assert_allclose(lut.apply(np.array([0.25, 0.5, 0.75])), [0.75, 0.5, 0.25])
    # ... and what filmstyle writes has the same order
    write_lut(lut, tmp_path / "again.cube")
    data = [ln for ln in (tmp_path / "again.cube").read_text().splitlines() if ln[:1].isdigit()]
    assert [[float(v) for v in ln.split()] for ln in data] == [[float(v) for v in s.split()] for s in swapped]


def test_resolve_cube_round_trip(tmp_path):
    lut = _random_lut(9)
    back = read_lut(write_lut(lut, tmp_path / "r.cube", "resolve"))
    np.testing.assert_allclose(back.table, lut.table, atol=1e-6)


def test_apply_matches_colour_science():
    lut = _random_lut(7)
    x = np.random.default_rng(2).random((500, 3))
    ref = colour.LUT3D(table=lut.table.astype(np.float64)).apply(x)
    np.testing.assert_allclose(lut.apply(x), ref, atol=1e-5)


def test_torch_lookup_matches_numpy_and_has_gradients():
    lut = _random_lut(5)
    x = np.random.default_rng(3).random((64, 3)).astype(np.float32)
    table = torch.tensor(lut.table, requires_grad=True)
    out = trilinear_torch(table, torch.from_numpy(x))
    np.testing.assert_allclose(out.detach().numpy(), lut.apply(x), atol=1e-6)
    out.sum().backward()
    assert table.grad is not None and float(table.grad.abs().sum()) > 0


@pytest.mark.parametrize("lut", [_graded_lut(9), _random_lut(5)], ids=["graded", "random"])
def test_uint8_lookup_matches_ffmpeg_lut3d_within_one_code(lut, tmp_path):
    img = _image()
    path = write_lut(lut, tmp_path / "l.cube")
    ours = apply_packed(packed_table(lut), img)
    np.testing.assert_array_equal(ours, lut.apply_uint8(img))  # the fast table is the same lookup
    theirs = _ffmpeg(img, [("lut3d", f"file={path}:interp=trilinear")])
    diff = np.abs(ours.astype(int) - theirs.astype(int))
    assert diff.max() <= 1, diff.max()  # FFmpeg truncates to 8 bits where filmstyle rounds
    # and colour-science on the same file agrees with filmstyle to rounding
    ref = colour.io.read_LUT(str(path)).apply(img / 255.0)
    assert np.abs(ours.astype(int) - np.rint(ref * 255).astype(int)).max() <= 1


def test_strength_zero_is_the_identity_and_one_the_lut():
    lut, img = _random_lut(5), _image()
    np.testing.assert_array_equal(apply_packed(packed_table(lut.blend(0.0)), img), img)
    np.testing.assert_array_equal(lut.blend(1.0).table, lut.table)
    half = lut.blend(0.5).table
    np.testing.assert_allclose(half, (lut.table + lattice(5)) / 2, atol=1e-7)


def test_neutral_lut_gives_exact_greys():
    out = _random_lut(5).neutral().apply_uint8(_image())
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()


def test_hald_round_trip_and_layout_match_ffmpeg_haldclut(tmp_path):
    lut = _graded_lut(16)  # a level-4 Hald CLUT: 16 points per axis, a 64x64 image
    path = write_lut(lut, tmp_path / "h.png")
    back = read_lut(path)
    assert back.size == 16 and hald_level(16) == 4
    np.testing.assert_allclose(back.table, lut.table, atol=0.5 / 65535)
    # FFmpeg's haldclut reads our image as the same LUT (its own trilinear interpolation)
    import cv2

    clut = np.ascontiguousarray(cv2.imread(str(path), cv2.IMREAD_UNCHANGED)[..., ::-1])
    img = _image()
    theirs = _ffmpeg(img, [("haldclut", "interp=trilinear")], extra=clut)
    assert np.abs(theirs.astype(int) - lut.apply_uint8(img).astype(int)).max() <= 1


def test_hald_resamples_other_sizes(tmp_path):
    assert read_lut(write_lut(_graded_lut(33), tmp_path / "h.png")).size == 36  # level 6


@pytest.mark.parametrize("text", ["LUT_3D_SIZE 3\n0 0 0\n1 1\n", "garbage\x00", "LUT_3D_SIZE x\n", "TITLE \"a\"\n0.1 0.2\n"])
def test_corrupt_cube_is_an_input_error(text, tmp_path):
    path = tmp_path / "bad.cube"
    path.write_text(text)
    with pytest.raises(InputError, match="bad.cube"):
        read_lut(path)


def test_not_a_hald_image_is_an_input_error(tmp_path):
    from PIL import Image

    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(tmp_path / "x.png")
    with pytest.raises(InputError, match="not a Hald CLUT"):
        read_lut(tmp_path / "x.png")
    with pytest.raises(InputError, match="not found"):
        read_lut(tmp_path / "missing.cube")


def test_bad_tables_are_refused():
    with pytest.raises(ValueError):
        LUT3D(np.zeros((4, 4, 3, 3)))
    with pytest.raises(ValueError):
        LUT3D(np.full((2, 2, 2, 3), np.nan))
    with pytest.raises(ValueError):
        _random_lut().blend(1.5)


def test_write_is_atomic_and_checks_the_suffix(tmp_path):
    with pytest.raises(InputError, match=r"\.cube"):
        write_lut(LUT3D.identity(2), tmp_path / "x.txt", "cube")
    with pytest.raises(InputError):
        write_lut(LUT3D.identity(2), tmp_path / "nodir" / "x.cube")
    write_lut(LUT3D.identity(2), tmp_path / "x.cube")
    assert [p.name for p in Path(tmp_path).iterdir()] == ["x.cube"]


def test_hald_images_are_told_from_pictures(tmp_path):
    from PIL import Image

    from filmstyle.lut.lut3d import looks_like_hald

    assert looks_like_hald(write_lut(_graded_lut(16), tmp_path / "graded.png"))
    luma = lattice(16) @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    assert looks_like_hald(write_lut(LUT3D(np.repeat(luma[..., None], 3, axis=-1)), tmp_path / "bw.png"))
    ys = np.linspace(0, 255, 64)[:, None, None] * np.ones((64, 64, 3))  # a sky: one vertical ramp
    Image.fromarray(ys.astype(np.uint8)).save(tmp_path / "sky.png")
    Image.fromarray(_image(64, 64)).save(tmp_path / "noise.png")
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(tmp_path / "black.png")
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(tmp_path / "small.png")
    for name in ("sky", "noise", "black", "small"):
        assert not looks_like_hald(tmp_path / f"{name}.png"), name
    assert not looks_like_hald(tmp_path / "missing.png")
