"""``gatys``: Gatys, Ecker, Bethge, CVPR 2016 ("Image Style Transfer Using Convolutional Neural
Networks"; the paper's ref. [4]): every frame is optimised on its own, from the content frame.

The quality reference of Table 1: no network, no look to learn, and far from real time.
Loss (Gatys et al. 2016, sec. 2, eqs. 1-7), on VGG19 with average pooling (their sec. 2):
content L_c = 1/2 sum (F - P)^2 at relu4_2; style L_s = sum_l w_l E_l over relu1_1, relu2_1,
relu3_1, relu4_1, relu5_1 with w_l = 1/5 and E_l = sum (G_l - A_l)^2 / (4 N_l^2 M_l^2);
total alpha L_c + beta L_s.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np
import torch

from filmstyle.core.image import from_array, load_still, to_array
from filmstyle.losses import gram_matrix
from filmstyle.methods.base import Method, Prepared
from filmstyle.nets.vgg import VGG19Features, load_vgg19

CONTENT_LAYER = "relu4_2"  # Gatys et al. 2016, sec. 3 ("conv4_2")
STYLE_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")  # sec. 3, w_l = 1/5 each
ALPHA_OVER_BETA = 1e-3  # content/style weight ratio; Gatys et al. 2016, sec. 3 and Fig. 3 (1e-3 .. 1e-4)


@dataclass(frozen=True)
class GatysBudget:
    """evals: VGG forward/backward evaluations per frame, spent by L-BFGS (Gatys et al. 2016, sec. 3:
    L-BFGS) with a strong-Wolfe line search; the number is ours, what this CPU affords for Table 1's
    16 frames at 640 px (~1.8 s an evaluation on 2 cores, ~20 min); they optimise to convergence (~500+).
    Initialised from the content frame (as Ruder et al. 2016 do for video)."""

    evals: int = 40
    alpha_over_beta: float = ALPHA_OVER_BETA


def gatys_loss(vgg: VGG19Features, img: torch.Tensor, content_feat: torch.Tensor,
               style_grams: dict[str, torch.Tensor], alpha_over_beta: float) -> torch.Tensor:
    """alpha L_c + beta L_s with beta = 1 (module docstring). img (1, 3, H, W) in [0, 1];
    content_feat: relu4_2 of the content (1, C, h, w); style_grams: {layer: (1, N, N)} from
    :func:`filmstyle.losses.gram_matrix` (normalised by N*M, so E_l = sum(diff^2) / 4)."""
    feats = vgg(img, (CONTENT_LAYER, *style_grams))
    content = 0.5 * (feats[CONTENT_LAYER] - content_feat).pow(2).sum()
    style = sum((gram_matrix(feats[k]) - g).pow(2).sum() / 4 for k, g in style_grams.items()) / len(style_grams)
    return alpha_over_beta * content + style


def gatys_optimize(vgg: VGG19Features, content: torch.Tensor, style_grams: dict[str, torch.Tensor],
                   budget: GatysBudget) -> tuple[torch.Tensor, list[float]]:
    """Optimise one image from ``content`` (1, 3, H, W) in [0, 1]; returns (image clamped to [0, 1],
    the loss at every evaluation)."""
    with torch.no_grad():
        content_feat = vgg(content, [CONTENT_LAYER])[CONTENT_LAYER]
    img = content.detach().clone(memory_format=torch.contiguous_format).requires_grad_(True)
    opt = torch.optim.LBFGS([img], lr=1.0, max_iter=budget.evals, max_eval=budget.evals,
                            line_search_fn="strong_wolfe", tolerance_grad=0.0, tolerance_change=0.0)
    losses: list[float] = []

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = gatys_loss(vgg, img, content_feat, style_grams, budget.alpha_over_beta)
        loss.backward()
        losses.append(float(loss.detach()))
        return loss

    if budget.evals > 0:
        opt.step(closure)
    return img.detach().clamp(0, 1), losses


class GatysStylizer:
    """Optimises each frame (a :class:`filmstyle.methods.base.Stylizer`); the still's Gram matrices
    are taken with its short side at the frame's short side, once per frame size."""

    def __init__(self, still: str | os.PathLike, budget: GatysBudget, vgg: VGG19Features) -> None:
        self.still, self.budget, self.vgg = still, budget, vgg
        self.device = next(vgg.parameters()).device  # each frame is optimised where the VGG is
        self.model_seconds = 0.0
        self.losses: list[list[float]] = []  # per frame
        self._grams: dict[tuple[int, int], dict[str, torch.Tensor]] = {}

    def grams(self, shape: tuple[int, int]) -> dict[str, torch.Tensor]:
        if shape not in self._grams:
            style = load_still(self.still, min(shape)).to(self.device)
            with torch.no_grad():
                self._grams[shape] = {k: gram_matrix(v) for k, v in self.vgg(style, STYLE_LAYERS).items()}
        return self._grams[shape]

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        t0 = time.perf_counter()
        img, losses = gatys_optimize(self.vgg, from_array(frame).to(self.device), self.grams(frame.shape[:2]), self.budget)
        self.model_seconds += time.perf_counter() - t0
        self.losses.append(losses)
        return to_array(img)


class GatysMethod(Method):
    name = "gatys"
    seeded = False  # optimises each frame from the content frame: no random state
    per_frame = True
    title = "Gatys et al. 2016: optimisation per frame from the content (quality reference)"
    source = "Gatys, Ecker, Bethge, CVPR 2016, sec. 2-3 (the paper's ref. [4])"
    FULL = GatysBudget()
    QUICK = GatysBudget(evals=2)

    def __init__(self, *, quick: bool = False, budget: GatysBudget | None = None,
                 vgg: VGG19Features | None = None, **context: object) -> None:
        super().__init__(quick=quick, budget=budget, **context)
        self._vgg = vgg

    def budget_text(self) -> str:
        return (f"{self.budget.evals} L-BFGS loss evaluations per frame from the content frame, at the clip size, "
                f"alpha/beta {self.budget.alpha_over_beta:g}, VGG19 with average pooling")

    def prepare(self, still: str | os.PathLike, clip: str | os.PathLike) -> Prepared:
        t0 = time.perf_counter()
        if self._vgg is None:
            self._vgg = load_vgg19(STYLE_LAYERS[-1], pooling="avg")  # avg pooling: Gatys et al. 2016, sec. 2
        self._vgg.to(self.device)
        load_still(still, 64)  # fail now, not at the first frame, on an unusable still
        return Prepared(self.name, GatysStylizer(still, self.budget, self._vgg), time.perf_counter() - t0, 0,
                        per_frame_steps=self.budget.evals)
