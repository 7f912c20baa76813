import pytest
import torch

from filmstyle.core.config import AdaptConfig, LossConfig
from filmstyle.nets import TransformerNet, VGG19Features
from filmstyle.training.adapt import adapt, trainable_parameters

LOSS = LossConfig(content_layer="relu2_1", style_layers=("relu1_1", "relu2_1"), content_weight=1.0, style_weight=1.0)


def _setup(steps=4, params="all", seed=0):
    torch.manual_seed(0)
    vgg = VGG19Features(last_layer="relu2_1")
    frames = [torch.rand(1, 3, 20, 24) for _ in range(3)]
    style = torch.rand(1, 3, 16, 16) * torch.tensor([1.0, 0.2, 0.2]).view(1, 3, 1, 1)
    cfg = AdaptConfig(steps=steps, lr=1e-2, size=16, seed=seed, params=params, loss=LOSS)
    return vgg, frames, style, cfg


def test_adapt_lowers_the_loss():
    vgg, frames, style, cfg = _setup(steps=40)
    torch.manual_seed(1)
    net = TransformerNet(width=4, depth=1)
    result = adapt(net, style, frames, cfg, vgg=vgg)
    first = sum(h["total"] for h in result.history[:5]) / 5
    last = sum(h["total"] for h in result.history[-5:]) / 5
    assert last < 0.7 * first
    assert len(result.history) == 40 and set(result.losses) == {"content", "style", "tv", "total"}


def test_norm_only_changes_only_norm_parameters():
    vgg, frames, style, cfg = _setup(params="norm")
    net = TransformerNet(width=2, depth=1)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    adapt(net, style, frames, cfg, vgg=vgg)
    norm_names = {n for n, _ in net.norm_parameters()}
    changed = {k for k, v in net.state_dict().items() if not torch.equal(v, before[k])}
    assert changed and changed <= norm_names
    assert len(trainable_parameters(net, "norm")) == len(norm_names)
    with pytest.raises(ValueError):
        trainable_parameters(net, "some")


def test_resume_after_interrupt_equals_uninterrupted_run(tmp_path):
    vgg, frames, style, cfg = _setup(steps=6)
    torch.manual_seed(2)
    reference = TransformerNet(width=2, depth=1)
    init = {k: v.clone() for k, v in reference.state_dict().items()}
    adapt(reference, style, frames, cfg, vgg=vgg)

    net = TransformerNet(width=2, depth=1)
    net.load_state_dict(init)
    ckpt = tmp_path / "run.ckpt"

    def interrupt(step, _):
        if step == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        adapt(net, style, frames, cfg, vgg=vgg, checkpoint=ckpt, checkpoint_every=2, run_key="k", on_step=interrupt)
    assert ckpt.exists()
    resumed = TransformerNet(width=2, depth=1)
    resumed.load_state_dict(init)
    result = adapt(resumed, style, frames, cfg, vgg=vgg, checkpoint=ckpt, run_key="k")
    assert result.resumed_from == 4 and len(result.history) == 6
    for k, v in reference.state_dict().items():
        torch.testing.assert_close(resumed.state_dict()[k], v, rtol=1e-5, atol=1e-6)


def test_checkpoint_of_another_run_is_ignored(tmp_path):
    vgg, frames, style, cfg = _setup(steps=2)
    ckpt = tmp_path / "run.ckpt"
    with pytest.raises(KeyboardInterrupt):
        adapt(TransformerNet(width=2, depth=1), style, frames, cfg, vgg=vgg, checkpoint=ckpt, run_key="a",
              on_step=lambda s, _: (_ for _ in ()).throw(KeyboardInterrupt))
    result = adapt(TransformerNet(width=2, depth=1), style, frames, cfg, vgg=vgg, checkpoint=ckpt, run_key="b")
    assert result.resumed_from == 0


def test_frames_smaller_than_crop_are_rejected():
    vgg, _, style, cfg = _setup()
    with pytest.raises(ValueError, match="smaller than the crop"):
        adapt(TransformerNet(width=2, depth=1), style, [torch.rand(1, 3, 8, 8)], cfg, vgg=vgg)


def test_highpass_is_the_frame_minus_its_gaussian_blur():
    import cv2
    import numpy as np

    from filmstyle.training.adapt import highpass

    x = torch.rand(1, 3, 30, 41)
    got = highpass(x, 2.0)[0].permute(1, 2, 0).numpy()
    a = x[0].permute(1, 2, 0).numpy()
    assert np.abs(got - (a - cv2.GaussianBlur(a, (0, 0), 2.0))).max() < 1e-5
    assert highpass(torch.full((1, 3, 9, 9), 0.4), 3.0).abs().max() < 1e-6  # a flat frame has no detail


def test_composite_is_the_base_plus_only_the_outputs_detail():
    from filmstyle.training.adapt import Composite

    content = torch.rand(1, 3, 20, 24)
    base = lambda x: 1 - x  # noqa: E731 - any map of the content
    smooth = torch.linspace(0, 1, 24).view(1, 1, 1, 24).expand(1, 3, 20, 24)  # a gentle ramp: low frequency
    comp = Composite(base, sigma=1.0)
    assert (comp(content, smooth * 0.01) - base(content)).abs().max() < 1e-3  # the output's low frequencies do not pass
    noisy = torch.rand(1, 3, 20, 24)
    assert (comp(content, noisy) - base(content)).abs().mean() > 0.05  # its detail does
    grey = Composite(lambda x: torch.full_like(x, 0.5), sigma=1.0, luma_only=True)(content, noisy)
    assert torch.allclose(grey[:, 0], grey[:, 1]) and torch.allclose(grey[:, 1], grey[:, 2])


def test_adapt_through_a_composite_differs_from_the_raw_output_and_takes_the_temporal_loss():
    from filmstyle.temporal.loss import FramePair
    from filmstyle.training.adapt import Composite

    vgg, frames, style, cfg = _setup(steps=3)
    torch.manual_seed(3)
    init = TransformerNet(width=2, depth=1).state_dict()
    losses = {}
    for name, comp in (("raw", None), ("composite", Composite(lambda x: 1 - x, sigma=1.5))):
        net = TransformerNet(width=2, depth=1)
        net.load_state_dict(init)
        losses[name] = adapt(net, style, frames, cfg, vgg=vgg, composite=comp).history[0]["total"]
    assert losses["raw"] != pytest.approx(losses["composite"], rel=1e-3)  # the loss sees another picture
    pairs = [FramePair(cur=f, prev=f.flip(-1), flow=torch.zeros(1, 2, 20, 24), mask=torch.ones(1, 1, 20, 24))
             for f in frames]
    tcfg = AdaptConfig(steps=2, lr=1e-2, size=16, loss=LossConfig(**{**LOSS.to_dict(), "temporal_weight": 10.0}))
    result = adapt(TransformerNet(width=2, depth=1), style, frames, tcfg, vgg=vgg, pairs=pairs,
                   composite=Composite(lambda x: x, sigma=1.5))
    assert result.history[-1]["temporal"] > 0


def test_adapt_config_tone_is_validated():
    from filmstyle.core.errors import InputError

    assert AdaptConfig(tone="grade").tone == "grade"
    with pytest.raises(InputError):
        AdaptConfig(tone="sepia")
