"""The temporal loss used during adaptation (issue 4, item 3)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from filmstyle.core import video
from filmstyle.core.config import AdaptConfig, LossConfig
from filmstyle.nets import TransformerNet, VGG19Features
from filmstyle.temporal.loss import FramePair, clip_pairs, make_pair, temporal_loss
from filmstyle.training.adapt import adapt
from tests.conftest import SQUARE_STEP, clip_frame, make_clip

LOSS = LossConfig(content_layer="relu2_1", style_layers=("relu1_1", "relu2_1"), content_weight=1.0, style_weight=1.0)


def _shifted_pair(k: int = 2) -> FramePair:
    """cur is prev moved k px right: the flow from cur to prev is (-k, 0), reliable where x >= k."""
    torch.manual_seed(0)
    prev = torch.rand(1, 3, 12, 16)
    cur = torch.roll(prev, k, dims=-1)
    flow = torch.zeros(1, 2, 12, 16)
    flow[:, 0] = -k
    mask = torch.ones(1, 1, 12, 16)
    mask[..., :k] = 0  # wrapped-around columns
    return FramePair(prev=prev, cur=cur, flow=flow, mask=mask)


def test_output_that_follows_the_flow_has_zero_loss_and_flicker_does_not():
    pair = _shifted_pair()
    assert float(temporal_loss(pair.cur, pair.prev, pair.flow, pair.mask)) == pytest.approx(0.0, abs=1e-12)
    flicker = pair.cur + 0.1
    value = float(temporal_loss(flicker, pair.prev, pair.flow, pair.mask))
    assert value == pytest.approx(0.01 * float(pair.mask.mean()), rel=1e-5)  # masked pixels count as 0


def test_crop_masks_flow_that_leaves_the_window():
    pair = _shifted_pair(3)
    crop = pair.crop(2, 5, 8)
    assert crop.cur.shape[-2:] == crop.flow.shape[-2:] == crop.mask.shape[-2:] == (8, 8)
    # Flow (-3, 0): the window's first 3 columns look left of it, into pixels the crop does not hold.
    assert float(crop.mask[..., :3].max()) == 0.0 and float(crop.mask[..., 3:].min()) == 1.0
    assert torch.equal(crop.prev, pair.prev[..., 2:10, 5:13])


def test_make_pair_finds_the_motion_of_the_square():
    prev, cur = clip_frame(3, (64, 48)), clip_frame(4, (64, 48))
    pair = make_pair(prev, cur, flow="dis")
    y0, x0 = 24 - 6 + 3, SQUARE_STEP * 4 + 3  # inside the square in cur
    u = pair.flow[0, 0, y0:y0 + 6, x0:x0 + 6]
    assert float(u.median()) == pytest.approx(-SQUARE_STEP, abs=0.25)
    assert pair.mask.shape == (1, 1, 48, 64) and 0.5 < float(pair.mask.mean()) <= 1.0


def test_sample_pairs_gives_consecutive_frames(tmp_path: Path):
    clip = make_clip(tmp_path / "c.mp4", frames=10, audio=False)
    pairs = video.sample_pairs(clip, 3)
    assert len(pairs) == 3
    every = list(video.read_frames(clip))
    starts = [next(i for i, f in enumerate(every) if np.array_equal(f, a)) for a, _ in pairs]
    assert starts == [0, 4, 8]
    assert all(np.array_equal(b, every[s + 1]) for s, (_, b) in zip(starts, pairs))
    assert len(clip_pairs(clip, 3, 32)) == 3 and clip_pairs(clip, 3, 32)[0].cur.shape[-2:] == (32, 43)


def test_adapt_with_the_temporal_loss_lowers_it_and_resumes_exactly(tmp_path: Path):
    torch.manual_seed(0)
    vgg = VGG19Features(last_layer="relu2_1")
    pairs = [_shifted_pair(2), _shifted_pair(1)]
    style = torch.rand(1, 3, 16, 16)
    loss = dataclasses.replace(LOSS, temporal_weight=100.0)
    cfg = AdaptConfig(steps=30, lr=1e-2, size=12, seed=0, loss=loss)
    torch.manual_seed(1)
    net = TransformerNet(width=4, depth=1)
    init = {k: v.clone() for k, v in net.state_dict().items()}
    result = adapt(net, style, [], cfg, vgg=vgg, pairs=pairs)
    terms = [h["temporal"] for h in result.history]
    assert set(result.losses) == {"content", "style", "tv", "temporal", "total"}
    assert sum(terms[-5:]) < 0.5 * sum(terms[:5])
    # Interrupted at step 10 and resumed: the same weights.
    net2 = TransformerNet(width=4, depth=1)
    net2.load_state_dict(init)
    ckpt = tmp_path / "a.ckpt"

    def stop(step: int, _: dict[str, float]) -> None:
        if step == 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        adapt(net2, style, [], cfg, vgg=vgg, pairs=pairs, checkpoint=ckpt, checkpoint_every=5, on_step=stop)
    net3 = TransformerNet(width=4, depth=1)
    net3.load_state_dict(init)
    adapt(net3, style, [], cfg, vgg=vgg, pairs=pairs, checkpoint=ckpt)
    assert all(torch.equal(a, b) for a, b in zip(net.state_dict().values(), net3.state_dict().values()))


def test_temporal_weight_without_pairs_is_refused():
    cfg = AdaptConfig(steps=1, size=12, loss=dataclasses.replace(LOSS, temporal_weight=1.0))
    with pytest.raises(ValueError, match="pairs"):
        adapt(TransformerNet(width=2, depth=1), torch.rand(1, 3, 16, 16), [torch.rand(1, 3, 16, 16)], cfg,
              vgg=VGG19Features(last_layer="relu2_1"))
