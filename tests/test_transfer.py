"""Colour transfers and fitted LUTs: analytic cases on tiny samples."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from filmstyle.grading.fit import distill_lut, fit_lattice, learn_lut, patch_grid
from filmstyle.lut.lut3d import LUT3D
from filmstyle.lut.transfer import (
    TRANSFERS,
    histogram,
    is_grey,
    lab_to_rgb,
    mk,
    reinhard,
    rgb_to_lab,
    transfer_lut,
)


def _sample(n: int = 4000, seed: int = 0, tint=(1.0, 0.8, 0.5)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(rng.beta(2, 3, (n, 3)) * tint + rng.normal(0, 0.02, (n, 3)), 0, 1)


def test_lab_round_trip():
    x = _sample()
    np.testing.assert_allclose(lab_to_rgb(rgb_to_lab(x)), x, atol=2e-3)  # the log floor clips near-blacks


def test_reinhard_toward_a_constant_image_gives_that_colour():
    target = np.full((100, 3), [0.6, 0.4, 0.2])
    out = reinhard(_sample(), target)(_sample(seed=1))
    np.testing.assert_allclose(out, np.broadcast_to([0.6, 0.4, 0.2], out.shape), atol=1e-6)


def test_reinhard_of_a_constant_image_takes_the_target_mean():
    source = np.full((50, 3), 0.3)
    target = _sample(seed=2)
    out = reinhard(source, target)(source)
    np.testing.assert_allclose(rgb_to_lab(out[:1])[0], rgb_to_lab(target).mean(0), atol=1e-6)


def test_reinhard_matches_mean_and_deviation_in_lab():
    source, target = _sample(tint=(0.5, 0.9, 1.0)), _sample(seed=3)
    out = rgb_to_lab(reinhard(source, target)(source))
    lt = rgb_to_lab(target)
    np.testing.assert_allclose(out.mean(0), lt.mean(0), atol=0.03)
    np.testing.assert_allclose(out.std(0), lt.std(0), rtol=0.2)  # less where results clip to the RGB cube


def test_mk_carries_mean_and_covariance():
    rng = np.random.default_rng(4)
    source = rng.multivariate_normal([0.4, 0.5, 0.3], np.diag([0.01, 0.02, 0.005]), 20000)
    target = rng.multivariate_normal([0.6, 0.3, 0.5], [[0.02, 0.01, 0], [0.01, 0.02, 0], [0, 0, 0.01]], 20000)
    out = mk(source, target)(source)
    np.testing.assert_allclose(out.mean(0), target.mean(0), atol=1e-9)
    np.testing.assert_allclose(np.cov(out.T), np.cov(target.T), atol=1e-4)


def test_histogram_matching_matches_quantiles():
    source, target = _sample(), _sample(seed=5, tint=(0.4, 1.0, 0.9))
    out = histogram(source, target)(source)
    q = np.linspace(0.05, 0.95, 10)
    np.testing.assert_allclose(np.quantile(out, q, axis=0), np.quantile(target, q, axis=0), atol=0.01)


def test_grey_detection():
    grey = np.repeat(np.random.default_rng(6).random((1000, 1)), 3, 1)
    assert is_grey(grey)
    assert is_grey(np.clip(grey + np.random.default_rng(7).normal(0, 0.002, grey.shape), 0, 1))  # JPEG-like noise
    assert not is_grey(_sample())


@pytest.mark.parametrize("method", sorted(TRANSFERS))
def test_black_and_white_still_gives_exactly_neutral_output(method):
    still = np.repeat(_sample(seed=8)[:, :1], 3, 1)
    lut = transfer_lut(method, _sample(), still, size=9)
    out = lut.apply_uint8(np.random.default_rng(9).integers(0, 256, (16, 16, 3), dtype=np.uint8))
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()
    assert out.std() > 10  # not flat: the tones are kept


def test_colour_still_gives_a_colour_lut():
    lut = transfer_lut("mk", _sample(), _sample(seed=10, tint=(0.3, 0.6, 1.0)), size=9)
    assert np.abs(lut.table[..., 0] - lut.table[..., 2]).max() > 0.05


def test_fit_lattice_recovers_a_smooth_grade():
    rng = np.random.default_rng(11)
    x = rng.random((4000, 3))

    def grade(v: np.ndarray) -> np.ndarray:
        return np.clip(np.stack([v[:, 0] ** 0.8, v[:, 1] * 0.9 + 0.05, v[:, 2] ** 1.2], 1), 0, 1)

    lut = fit_lattice(x, grade(x), np.ones(len(x)), size=9, smooth=0.01)
    test = rng.random((500, 3))
    assert np.abs(lut.apply(test) - grade(test)).mean() < 2 / 255


class _ColourNet(torch.nn.Module):
    """A 'network' that only recolours: a fixed 3x3 matrix and offset, clamped."""

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        m = torch.tensor([[0.8, 0.2, 0.0], [0.1, 0.8, 0.1], [0.0, 0.3, 0.7]])
        return (torch.einsum("ij,bjhw->bihw", m, img) + 0.05).clamp(0, 1)


def test_distilling_a_pure_colour_map_reproduces_it():
    frames = [torch.rand(1, 3, 32, 40, generator=torch.Generator().manual_seed(12))]
    d = distill_lut(_ColourNet(), frames, size=9, patch=4)
    assert d.error < 1.5  # mean error in 8-bit codes
    x = torch.rand(200, 3, generator=torch.Generator().manual_seed(13))
    want = _ColourNet()(x.T[None, :, :, None])[0, :, :, 0].T.numpy()
    assert np.abs(d.lut.apply(x.numpy()) - want).mean() < 2 / 255


class _GreyNet(torch.nn.Module):
    """A 'network' that turns everything to its mean channel, slightly brightened."""

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        return (img.mean(1, keepdim=True) * 0.9 + 0.05).expand_as(img)


def test_distilling_a_black_and_white_look_gives_a_neutral_lut():
    frames = [torch.rand(1, 3, 32, 40, generator=torch.Generator().manual_seed(14))]
    t = distill_lut(_GreyNet(), frames, size=9, patch=4).lut.table
    assert (t[..., 0] == t[..., 1]).all() and (t[..., 1] == t[..., 2]).all()


def test_patch_grid_spans_the_cube():
    grid = patch_grid(levels=3, patch=2)
    colours = {tuple(c) for c in grid[0].reshape(3, -1).T.tolist()}
    assert (0.0, 0.0, 0.0) in colours and (1.0, 1.0, 1.0) in colours and (1.0, 0.0, 0.5) in colours


def test_learned_lut_moves_toward_the_still_and_stays_neutral_for_grey():
    torch.manual_seed(0)
    content = [torch.rand(1, 3, 32, 32) * torch.tensor([1.0, 0.7, 0.4]).view(1, 3, 1, 1)]
    still = torch.rand(1, 3, 32, 32) * torch.tensor([0.3, 0.6, 1.0]).view(1, 3, 1, 1)
    lut = learn_lut(still, content, size=5, steps=3, image_size=32)
    assert isinstance(lut, LUT3D) and lut.size == 5
    px = content[0][0].reshape(3, -1).T.numpy()
    target = still[0].reshape(3, -1).mean(1).numpy()
    assert np.abs(lut.apply(px).mean(0) - target).sum() < 0.3 * np.abs(px.mean(0) - target).sum()
    grey = learn_lut(still.mean(1, keepdim=True).expand(1, 3, 32, 32), content, size=5, steps=2, image_size=32)
    assert (grey.table[..., 0] == grey.table[..., 1]).all() and (grey.table[..., 1] == grey.table[..., 2]).all()
