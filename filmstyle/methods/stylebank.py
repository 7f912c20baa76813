"""``stylebank``: StyleBank (Chen et al., CVPR 2017; the paper's ref. [2] and its Table 1 "Chen et al.").

Pre-training (once, cached): the shared auto-encoder and one bank per training style are learnt
with StyleBank's T+1 alternating scheme (sec. 3.2): T steps of the stylisation branch E -> K_i -> D
on the perceptual loss, then one step of the auto-encoder branch E -> D on the identity loss
||D(E(I)) - I||^2, repeated. A new style (the bench still) is then a new bank learnt with E and D
frozen (StyleBank sec. 4.1, "incremental training"). Section numbers follow the arXiv version
(1703.09210) as we know it; they could not be checked against the PDF offline.

Departures, stated: the stylisation loss is filmstyle's perceptual loss (VGG19 relu3_3 content,
Gram style at relu1_2..relu4_3, the same weights as ``meta`` and ``johnson``) instead of StyleBank's
VGG16 setting, so every row of Table 1 optimises the same objective; one Adam optimiser over all
weights (a parameter only moves on steps that give it a gradient) instead of StyleBank's
gradient-norm balancing of the two branches' learning rates, which Adam's per-parameter scaling
makes moot; batch 1 (as the paper's sec. 4.2).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from filmstyle.core import store
from filmstyle.core.errors import InputError
from filmstyle.core.files import cache_dir
from filmstyle.core.config import LossConfig
from filmstyle.core.image import load_image, load_still, resize_short
from filmstyle.core.media import load_content
from filmstyle.losses import loss_network, perceptual_loss, style_targets
from filmstyle.methods.base import Method, NetStylizer, Prepared
from filmstyle.nets.stylebank import BankView, StyleBankNet
from filmstyle.nets.vgg import VGG19Features
from filmstyle.training.loop import Trainer
from filmstyle.training.adapt import random_crop

log = logging.getLogger(__name__)
StepCallback = Callable[[int, str, float], None]  # (step, branch, loss)


@dataclass(frozen=True)
class StyleBankBudget:
    """T = 2: StyleBank sec. 3.2 (and the paper's sec. 4.2, "T+1 iterations"). lr 1e-3, size 256 px,
    batch 1: ours, as ``johnson``. pretrain_steps: ours, what this CPU affords (~27 min at 256 px on 2 cores);
    bank_steps: steps for a new style's bank. width 16 (64 embedding channels against StyleBank's
    128) and 2 conv layers per bank: ours, CPU-sized (nets/stylebank.py). max_styles / max_content:
    how many training styles and photos pre-training uses (None: all of the training split)."""

    pretrain_steps: int = 2000
    bank_steps: int = 300
    T: int = 2
    lr: float = 1e-3
    size: int = 256
    frames: int = 32
    width: int = 16
    bank_layers: int = 2
    max_styles: int | None = None
    max_content: int | None = None
    seed: int = 0


def branch_for_step(step: int, T: int) -> str:
    """The T+1 scheme: steps are 1-based; every (T+1)-th is ``"autoencoder"``, the others ``"style"``."""
    if step < 1 or T < 1:
        raise ValueError(f"need step >= 1 and T >= 1, got step={step}, T={T}")
    return "autoencoder" if step % (T + 1) == 0 else "style"


def identity_loss(out: torch.Tensor, img: torch.Tensor) -> torch.Tensor:
    """StyleBank's auto-encoder loss ||O - I||^2, as a mean over (B, 3, H, W) values in [0, 1]."""
    return (out - img).pow(2).mean()


def pretrain(net: StyleBankNet, styles: Sequence[torch.Tensor], content: Sequence[torch.Tensor],
             budget: StyleBankBudget, *, vgg: VGG19Features, checkpoint: Path | None = None,
             run_key: str = "", checkpoint_every: int = 100, on_step: StepCallback | None = None) -> dict:
    """Train ``net`` (one bank per style) in place with the T+1 scheme for ``budget.pretrain_steps``
    (the one loop, :class:`filmstyle.training.loop.Trainer`).

    styles: (1, 3, Hs, Ws) in [0, 1], one per bank; content: (1, 3, H, W) with min(H, W) >= budget.size.
    Crops and style picks come from a generator seeded by (seed, step), so a run resumed from
    ``checkpoint`` (same ``run_key``) follows an uninterrupted one. Returns {"history", "seconds",
    "resumed_from"}; history holds (branch, loss) per step.
    """
    if len(styles) != len(net.banks):
        raise ValueError(f"{len(styles)} styles for a network with {len(net.banks)} banks")
    cfg = LossConfig()
    device = next(net.parameters()).device  # trained where it is; crops move there
    targets = [style_targets(vgg.to(device), s.to(device), cfg) for s in styles]
    net.requires_grad_(True)
    report = (lambda i, terms: on_step(i, branch_for_step(i, budget.T), terms["total"])) if on_step else None
    trainer = Trainer(net, torch.optim.Adam(net.parameters(), lr=budget.lr), steps=budget.pretrain_steps,
                      seed=budget.seed, checkpoint=checkpoint, run_key=run_key, every=checkpoint_every, on_step=report)

    def step(i: int, gen: torch.Generator) -> dict[str, torch.Tensor]:
        x = random_crop(content, budget.size, gen).to(device)
        if branch_for_step(i, budget.T) == "style":
            k = int(torch.randint(len(styles), (), generator=gen))
            return {"total": perceptual_loss(vgg, net(x, k), x, targets[k], cfg)["total"]}
        return {"total": identity_loss(net(x), x)}

    net.train()
    result = trainer.run(step)
    net.eval().requires_grad_(False)
    history = [[branch_for_step(i, budget.T), r["total"]] for i, r in enumerate(result.history, 1)]
    return {"history": history, "seconds": result.seconds, "resumed_from": result.resumed_from}


def train_bank(net: StyleBankNet, style: torch.Tensor, frames: Sequence[torch.Tensor], budget: StyleBankBudget,
               *, vgg: VGG19Features, seed: int = 0) -> tuple[int, list[float]]:
    """Add a bank for ``style`` (1, 3, Hs, Ws) and train only it, E and D frozen, on crops of ``frames``
    (drawn from a generator seeded by ``seed`` and the step; the pre-training keeps ``budget.seed``).

    Returns (the new bank's index, its loss per step).
    """
    cfg = LossConfig()
    device = next(net.parameters()).device
    targets = style_targets(vgg.to(device), style.to(device), cfg)
    index = net.add_bank()
    net.banks[index].to(device)
    net.requires_grad_(False)
    params = list(net.banks[index].parameters())
    for p in params:
        p.requires_grad_(True)

    def step(i: int, gen: torch.Generator) -> dict[str, torch.Tensor]:
        x = random_crop(frames, budget.size, gen).to(device)
        return {"total": perceptual_loss(vgg, net(x, index), x, targets, cfg)["total"]}

    result = Trainer(None, torch.optim.Adam(params, lr=budget.lr), steps=budget.bank_steps, seed=seed).run(step)
    net.eval().requires_grad_(False)
    return index, [r["total"] for r in result.history]


def run_key(styles: Sequence[Path], content: Sequence[Path], budget: StyleBankBudget) -> str:
    """Identifies a pre-training run: the data (names and sizes in bytes) and every budget field
    that shapes the result (``bank_steps`` and ``frames`` only matter later)."""
    shaping = {k: v for k, v in asdict(budget).items() if k not in ("bank_steps", "frames")}
    files = [[p.name, p.stat().st_size] for p in [*styles, *content]]
    return hashlib.sha256(json.dumps([shaping, files], sort_keys=True).encode()).hexdigest()


def pretrained(styles: Sequence[Path], content: Sequence[Path], budget: StyleBankBudget, cache_dir: Path, *,
               vgg: VGG19Features, on_step: StepCallback | None = None,
               device: torch.device = torch.device("cpu")) -> tuple[StyleBankNet, dict]:
    """The pre-trained StyleBank for these files and budget: from ``cache_dir`` if there, else trained
    (checkpointed beside the cache file, so an interrupted run resumes) and cached. Returns the
    network (on ``device``) and its record {"steps", "seconds", "styles", "content", "cached", "path"}."""
    key = run_key(styles, content, budget)
    path = Path(cache_dir) / f"stylebank-{key[:16]}.safetensors"
    if path.is_file():
        try:
            state, meta = store.read(path, ("stylebank",), "pre-trained StyleBank")
        except InputError as e:
            log.warning("ignoring the cached StyleBank: %s", e)
            meta = {}
        if meta.get("run_key") == key:
            net = StyleBankNet(**meta["config"])
            net.load_state_dict(state)
            return net.to(device).eval().requires_grad_(False), {**meta["record"], "cached": True, "path": str(path)}
        if meta:
            log.warning("ignoring %s: it belongs to another pre-training run", path)
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    torch.manual_seed(budget.seed)
    net = StyleBankNet(n_styles=len(styles), width=budget.width, bank_layers=budget.bank_layers).to(device)
    style_imgs = [load_still(p, budget.size) for p in styles]
    content_imgs = [resize_short(load_image(p), budget.size) for p in content]
    ckpt = path.with_suffix(".ckpt")
    result = pretrain(net, style_imgs, content_imgs, budget, vgg=vgg, checkpoint=ckpt, run_key=key, on_step=on_step)
    record = {"steps": budget.pretrain_steps, "seconds": round(result["seconds"], 1),
              "resumed_from": result["resumed_from"], "styles": [p.name for p in styles],
              "content": len(content), "final_loss": result["history"][-1] if result["history"] else None}
    store.write(path, net.state_dict(), kind="stylebank",
                meta={"run_key": key, "config": dict(net.config), "budget": asdict(budget), "record": record})
    ckpt.unlink(missing_ok=True)
    return net, {**record, "cached": False, "path": str(path)}


class StyleBankMethod(Method):
    name = "stylebank"
    title = "Chen et al. 2017 StyleBank: shared auto-encoder, a new filter bank per style"
    source = "Chen, Yuan, Liao, Yu, Hua, CVPR 2017, sec. 3 and 4.1 (the paper's ref. [2]); T+1 scheme: T=2"
    FULL = StyleBankBudget()
    QUICK = StyleBankBudget(pretrain_steps=90, bank_steps=30, size=128, frames=8, max_styles=8, max_content=16)

    def __init__(self, *, quick: bool = False, budget: StyleBankBudget | None = None,
                 data: str | os.PathLike | None = None, cache: str | os.PathLike | None = None,
                 on_step: StepCallback | None = None, **context: object) -> None:
        super().__init__(quick=quick, budget=budget, **context)
        self.data = None if data is None else Path(data)
        self.cache = Path(cache) if cache is not None else default_cache()
        self.on_step = on_step
        self.pretraining: dict | None = None
        self._net: StyleBankNet | None = None
        self._vgg: VGG19Features | None = None

    def budget_text(self) -> str:
        b = self.budget
        pre = (f"pre-training {b.pretrain_steps} steps (T+1, T={b.T}: {b.pretrain_steps - b.pretrain_steps // (b.T + 1)} "
               f"stylisation + {b.pretrain_steps // (b.T + 1)} auto-encoder) at {b.size} px, lr {b.lr:g}, batch 1, "
               f"{b.max_styles or 'all'} training styles, {b.max_content or 'all'} training photos")
        if self.pretraining is not None:
            p = self.pretraining
            pre += f" [{'cached' if p['cached'] else 'trained now'}: {p['seconds']} s, {len(p['styles'])} styles]"
        return f"{pre}; new bank {b.bank_steps} steps on {b.frames} clip frames, E and D frozen; width {b.width}"

    def shared(self) -> None:
        self._pretrained()  # trained and cached once; each worker then loads it from the cache

    def _pretrained(self) -> StyleBankNet:
        if self._net is None:
            from filmstyle.training.tasks import split_data

            if self.data is None:
                raise ValueError("StyleBank pre-training needs the data folder (data=...) holding styles/ and content/")
            split = split_data(self.data / "styles", self.data / "content")
            b = self.budget
            styles, content = list(split.train_styles)[: b.max_styles], list(split.train_content)[: b.max_content]
            self._net, self.pretraining = pretrained(styles, content, b, self.cache, vgg=self.vgg(), on_step=self.on_step,
                                                     device=self.device)
        return self._net

    def vgg(self) -> VGG19Features:
        if self._vgg is None:
            self._vgg = loss_network(LossConfig()).to(self.device)
        return self._vgg

    def prepare(self, still: str | os.PathLike, clip: str | os.PathLike) -> Prepared:
        net = self._pretrained()
        b = self.budget
        t0 = time.perf_counter()
        style = load_still(still, b.size)
        frames = load_content(video_path=clip, content_dir=None, n=b.frames, size=b.size)
        index, losses = train_bank(net, style, frames, b, vgg=self.vgg(), seed=self.seed)
        seconds = time.perf_counter() - t0
        return Prepared(self.name, NetStylizer(BankView(net, index), self.device), seconds, b.bank_steps,
                        notes={"pretraining": self.pretraining, "bank": index,
                               "final_loss": losses[-1] if losses else None})


def default_cache() -> Path:
    """Where pre-trained StyleBanks are kept: :func:`filmstyle.core.files.cache_dir`."""
    return cache_dir()
