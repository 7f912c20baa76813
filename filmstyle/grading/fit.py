"""LUTs fitted rather than computed: learned from a still, or distilled from an adapted look.

- :func:`learn_lut`: gradient descent on the LUT's lattice (through the differentiable trilinear
  lookup) so that content frames passed through it match the still's colour statistics (mean,
  covariance, sliced 1-D distributions) and its VGG19 Gram matrices at the shallow layers, where
  colour and tone live; a smoothness term keeps the lattice free of kinks. Starts from the
  Monge-Kantorovich transfer.
- :func:`distill_lut`: the colour mapping of a look's network as a LUT: the network runs on content
  frames and on a grid of flat colour patches, and the LUT is the regularised least-squares fit to
  the (input colour -> output colour) pairs: lattice regression (Garcia & Gupta 2009, "Lattice
  regression", NIPS) with a graph-Laplacian penalty on the offset from identity, so colours never
  seen take the smooth continuation of their neighbours' correction. Solved by conjugate gradients.

Images are (1, 3, H, W) float32 RGB in [0, 1].
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from filmstyle.core.image import resize_short
from filmstyle.lut.lut3d import LUT3D, lattice
from filmstyle.lut.transfer import is_grey, pixels, transfer_lut
from filmstyle.nets.transformer import TransformerNet
from filmstyle.training.loop import Trainer

log = logging.getLogger(__name__)

# The two shallowest of Johnson et al.'s style layers: their Gram matrices are mostly colour, tone and
# fine grain, what a per-pixel colour map can match; stopping there keeps a step cheap (0.13 s at
# 96 px on the 2-core CPU, measured, against ~1 s with relu3_3 at 128 px).
STYLE_LAYERS = ("relu1_2", "relu2_2")
STYLE_WEIGHT = 1e-5  # as LossConfig.style_weight: brings the Caffe-scale Gram loss to O(1) (README, "How it works")


def trilinear_torch(table: torch.Tensor, rgb: torch.Tensor) -> torch.Tensor:
    """Differentiable trilinear lookup (in ``table`` and ``rgb``): table (N, N, N, 3), rgb (..., 3) in [0, 1].

    The same arithmetic as :func:`trilinear`; used to fit LUTs by gradient descent.
    """
    n = table.shape[0]
    s = rgb.clamp(0, 1) * (n - 1)
    lo = s.detach().floor().long().clamp_(max=n - 1)
    hi = (lo + 1).clamp_(max=n - 1)
    d = s - lo
    flat = table.reshape(-1, 3)

    def at(i: torch.Tensor, j: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        return flat[(i * n + j) * n + k]

    (r0, g0, b0), (r1, g1, b1) = lo.unbind(-1), hi.unbind(-1)
    dr, dg, db = (d[..., c : c + 1] for c in range(3))
    c00 = torch.lerp(at(r0, g0, b0), at(r1, g0, b0), dr)
    c10 = torch.lerp(at(r0, g1, b0), at(r1, g1, b0), dr)
    c01 = torch.lerp(at(r0, g0, b1), at(r1, g0, b1), dr)
    c11 = torch.lerp(at(r0, g1, b1), at(r1, g1, b1), dr)
    return torch.lerp(torch.lerp(c00, c10, dg), torch.lerp(c01, c11, dg), db)


def _np_pixels(imgs: Sequence[torch.Tensor]) -> np.ndarray:
    return pixels(img[0].permute(1, 2, 0).numpy() for img in imgs)


def _sorted_projections(px: torch.Tensor, dirs: torch.Tensor, levels: int = 128) -> torch.Tensor:
    """Quantiles of ``px`` (M, 3) projected on each of ``dirs`` (D, 3): (levels, D)."""
    proj = torch.sort(px @ dirs.T, dim=0).values
    idx = torch.linspace(0, len(px) - 1, levels).round().long()
    return proj[idx]


def colour_stats(px: torch.Tensor, dirs: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Colour statistics of a pixel sample (M, 3): mean (3,), covariance (3, 3), quantiles along ``dirs``."""
    return px.mean(0), torch.cov(px.T), _sorted_projections(px, dirs)


def colour_stats_loss(out: torch.Tensor, target: tuple[torch.Tensor, ...], dirs: torch.Tensor) -> torch.Tensor:
    """Distance of pixel sample ``out`` (M, 3) to :func:`colour_stats` ``target``: mean, covariance and
    sliced 1-D quantiles (squared differences)."""
    return sum((a - b).pow(2).mean() * (3 if a.ndim == 1 else 1) for a, b in zip(colour_stats(out, dirs), target))


def _smoothness(offset: torch.Tensor) -> torch.Tensor:
    """Mean squared difference of lattice neighbours: offset (N, N, N, 3)."""
    return sum((offset.diff(dim=d)).pow(2).mean() for d in range(3))


def learn_lut(still: torch.Tensor, content: Sequence[torch.Tensor], *, size: int = 17, steps: int = 100,
              lr: float = 5e-3, image_size: int = 96, style_weight: float = STYLE_WEIGHT, smooth_weight: float = 1.0,
              seed: int = 0, vgg: torch.nn.Module | None = None,
              on_step: Callable[[int, dict[str, float]], None] | None = None) -> LUT3D:
    """A LUT fitted to ``still`` on ``content`` frames by Adam (``steps`` steps, ``lr``), at ``image_size`` px.

    Loss: colour statistics (weight 1) + ``style_weight`` * Gram loss at :data:`STYLE_LAYERS`
    + ``smooth_weight`` * lattice smoothness. A grey still gives an exactly neutral LUT.
    """
    from filmstyle.losses import gram_matrix, style_loss
    from filmstyle.nets.vgg import load_vgg19

    if steps < 1 or not content:
        raise ValueError(f"need steps >= 1 and at least one content frame, got {steps=}, {len(content)} frames")
    torch.manual_seed(seed)
    target_px = _np_pixels([still])
    frames = [resize_short(c, image_size) for c in content]
    init = transfer_lut("mk", _np_pixels(frames), target_px, size=size)
    table = torch.nn.Parameter(torch.from_numpy(init.table.copy()))
    ident = torch.from_numpy(lattice(size))
    vgg = vgg or load_vgg19(STYLE_LAYERS[-1])
    style = resize_short(still, image_size)
    with torch.no_grad():
        grams = {k: gram_matrix(v) for k, v in vgg(style, STYLE_LAYERS).items()}
    dirs = torch.nn.functional.normalize(torch.cat((torch.eye(3), torch.randn(13, 3))), dim=1)
    target = colour_stats(torch.from_numpy(target_px).float(), dirs)

    def step(i: int, gen: torch.Generator) -> dict[str, torch.Tensor]:
        with torch.no_grad():
            table.clamp_(0, 1)  # the lattice stays in the colour cube (after every Adam step)
        frame = frames[(i - 1) % len(frames)]
        out = trilinear_torch(table, frame[0].permute(1, 2, 0)).permute(2, 0, 1)[None]
        px = out[0].reshape(3, -1).T
        sub = px[torch.randperm(len(px), generator=gen)[:20_000]]
        terms = {"colour": colour_stats_loss(sub, target, dirs),
                 "style": style_weight * style_loss({k: gram_matrix(v) for k, v in vgg(out, STYLE_LAYERS).items()}, grams),
                 "smooth": smooth_weight * _smoothness(table - ident)}
        return {**terms, "total": sum(terms.values())}

    Trainer(None, torch.optim.Adam([table], lr=lr), steps=steps, seed=seed, on_step=on_step).run(step)
    with torch.no_grad():
        table.clamp_(0, 1)
    lut = LUT3D(table.detach().numpy(), "filmstyle learned")
    return lut.neutral() if is_grey(target_px) else lut


# --- distillation of a look ----------------------------------------------------------------------

@dataclass(frozen=True)
class Distilled:
    """A distilled LUT and how well it reproduces the network on the pixels it was fitted to.

    ``error``: mean absolute difference per channel between the LUT's and the network's output,
    in 8-bit code values, over ``pixels`` pixels (``colours`` distinct input colours).
    """

    lut: LUT3D
    error: float
    pixels: int
    colours: int


def patch_grid(levels: int = 17, patch: int = 12) -> torch.Tensor:
    """Flat patches of ``levels``^3 colours spanning the RGB cube: (1, 3, H, W), patches ``patch`` px."""
    cols = int(np.ceil(np.sqrt(levels ** 3)))
    colours = lattice(levels).reshape(-1, 3)
    grid = np.zeros((cols * cols, 3), dtype=np.float32)
    grid[: len(colours)] = colours
    grid = grid.reshape(cols, cols, 3).repeat(patch, 0).repeat(patch, 1)
    return torch.from_numpy(grid).permute(2, 0, 1)[None].contiguous()


def _patch_centres(img: torch.Tensor, patch: int) -> torch.Tensor:
    """Mask (H, W) of the central half of every patch: away from borders the network sees a flat colour."""
    h, w = img.shape[-2:]
    pos = torch.arange(max(h, w)) % patch
    inner = (pos >= patch // 4) & (pos < patch - patch // 4)
    return inner[:h, None] & inner[None, :w]


def _pairs(net: TransformerNet, frames: Sequence[torch.Tensor], patch: int) -> tuple[np.ndarray, np.ndarray]:
    """(input, output) colour pairs: (M, 3) uint8 inputs and (M, 3) float outputs of ``net``."""
    ins, outs = [], []
    grid = patch_grid(patch=patch)
    with torch.inference_mode():
        for img in [*frames, grid]:
            out = net(img).clamp(0, 1)
            x, y = img[0].permute(1, 2, 0), out[0].permute(1, 2, 0)
            if img is grid:
                keep = _patch_centres(img, patch)
                x, y = x[keep], y[keep]
            ins.append(torch.round(x.reshape(-1, 3) * 255).to(torch.uint8).numpy())
            outs.append(y.reshape(-1, 3).double().numpy())
    return np.concatenate(ins), np.concatenate(outs)


def _laplacian(o: torch.Tensor) -> torch.Tensor:
    """D^T D o for the first-difference operator D along the three lattice axes: o (N, N, N, 3)."""
    res = torch.zeros_like(o)
    for d in range(3):
        diff = o.diff(dim=d)
        n = o.shape[d]
        res.narrow(d, 0, n - 1).sub_(diff)
        res.narrow(d, 1, n - 1).add_(diff)
    return res


def fit_lattice(inputs: np.ndarray, outputs: np.ndarray, weights: np.ndarray, *, size: int = 33,
                smooth: float = 0.1, ridge: float = 1e-4, iterations: int = 300) -> LUT3D:
    """Weighted least-squares LUT through (inputs (M, 3) in [0, 1] -> outputs (M, 3)) pairs.

    Minimises ``sum_m c_m |LUT(x_m) - y_m|^2 + smooth |D (LUT - I)|^2 + ridge |LUT - I|^2`` with
    ``c = weights / sum(weights) * N^3`` (so ``smooth`` is per lattice cell), by conjugate
    gradients on the normal equations (the trilinear weights as a sparse matrix).
    """
    n = size
    x = torch.from_numpy(np.asarray(inputs, dtype=np.float64))
    s = x.clamp(0, 1) * (n - 1)
    lo = s.floor().long().clamp_(max=n - 1)
    hi = (lo + 1).clamp_(max=n - 1)
    d = s - lo
    idx, wts = [], []
    for corner in range(8):
        bits = [(corner >> a) & 1 for a in range(3)]
        i = [hi[:, a] if bits[a] else lo[:, a] for a in range(3)]
        idx.append((i[0] * n + i[1]) * n + i[2])
        wts.append(torch.prod(torch.stack([d[:, a] if bits[a] else 1 - d[:, a] for a in range(3)]), 0))
    rows = torch.arange(len(x)).repeat_interleave(8)
    a = torch.sparse_coo_tensor(torch.stack((rows, torch.stack(idx, 1).reshape(-1))), torch.stack(wts, 1).reshape(-1),
                                (len(x), n ** 3), check_invariants=False).coalesce()  # (M, N^3): trilinear weights
    at = a.t().coalesce()
    c = torch.from_numpy(np.asarray(weights, dtype=np.float64))
    c = (c / c.sum() * n ** 3)[:, None]

    def normal(o: torch.Tensor) -> torch.Tensor:
        lap = _laplacian(o.reshape(n, n, n, 3)).reshape(-1, 3)
        return at @ (c * (a @ o)) + smooth * lap + ridge * o

    rhs = at @ (c * (torch.from_numpy(np.asarray(outputs, dtype=np.float64)) - x))  # trilinear identity is exact: I(x) = x
    o = torch.zeros_like(rhs)
    r = rhs.clone()
    p = r.clone()
    rr = (r * r).sum(0)
    tol = float(rr.max()) * 1e-12
    for _ in range(iterations):  # one CG run per channel, vectorised over the 3 columns
        hp = normal(p)
        alpha = rr / (p * hp).sum(0).clamp_min(1e-300)
        o += alpha * p
        r -= alpha * hp
        rr_new = (r * r).sum(0)
        if float(rr_new.max()) < tol:
            break
        p = r + rr_new / rr.clamp_min(1e-300) * p
        rr = rr_new
    table = np.clip(lattice(n) + o.reshape(n, n, n, 3).float().numpy(), 0, 1)
    return LUT3D(table, "filmstyle distilled")


def distill_lut(net: TransformerNet, frames: Sequence[torch.Tensor], *, size: int = 33, smooth: float = 0.1,
                patch: int = 12) -> Distilled:
    """The colour mapping of ``net`` as a LUT, fitted to its outputs on ``frames`` and a colour-patch grid.

    A network whose outputs are grey (a black-and-white look) gives an exactly neutral LUT.
    """
    x, y = _pairs(net.eval(), frames, patch)
    # Pool the pairs into 32^3 colour bins (mean input, mean output, count): the fit's cost then
    # depends on how many colours were seen, not on how many pixels.
    q = x.astype(np.int64) >> 3
    _, inverse, counts = np.unique(q[:, 0] << 10 | q[:, 1] << 5 | q[:, 2], return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    mean_in, mean_out = (np.stack([np.bincount(inverse, weights=v[:, ch]) for ch in range(3)], 1) / counts[:, None]
                         for v in (x / 255.0, y))
    lut = fit_lattice(mean_in, mean_out, counts, size=size, smooth=smooth)
    if is_grey(y[:: max(1, len(y) // 200_000)]):  # a black-and-white look: exactly neutral, as from a grey still
        lut = lut.neutral()
    error = float(np.abs(lut.apply(x.astype(np.float32) / 255) - y).mean() * 255)
    log.info("distilled a %d-point LUT from %d pixels (%d colour bins): mean error %.2f/255", size, len(x), len(counts), error)
    return Distilled(lut=lut, error=error, pixels=len(x), colours=len(counts))
