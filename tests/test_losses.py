import pytest
import torch

from filmstyle.core.config import LossConfig
from filmstyle.losses import (
    content_loss,
    deepest_layer,
    gram_matrix,
    perceptual_loss,
    style_loss,
    style_targets,
    total_variation,
)
from filmstyle.nets.vgg import VGG19Features


def test_gram_matrix_hand_computed():
    # Two channels, two pixels: f = [[1, 2], [3, 4]] -> f f^T = [[5, 11], [11, 25]], / (C*H*W = 4).
    feat = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).view(1, 2, 1, 2)
    expected = torch.tensor([[5.0, 11.0], [11.0, 25.0]]) / 4
    torch.testing.assert_close(gram_matrix(feat)[0], expected)


def test_gram_matrix_is_symmetric_psd():
    g = gram_matrix(torch.randn(2, 5, 7, 3))
    torch.testing.assert_close(g, g.transpose(1, 2))
    assert torch.linalg.eigvalsh(g).min() > -1e-6


def test_content_loss_zero_for_equal_and_hand_computed():
    a = torch.randn(1, 3, 4, 4)
    assert content_loss(a, a) == 0
    assert content_loss(torch.zeros(1, 1, 1, 2), torch.tensor([[[[1.0, 3.0]]]])).item() == pytest.approx(5.0)
    with pytest.raises(ValueError):
        content_loss(a, torch.zeros(1, 3, 4, 5))


def test_style_loss_weights_and_missing_layer():
    g = {"a": torch.ones(1, 2, 2), "b": torch.zeros(1, 2, 2)}
    t = {"a": torch.zeros(1, 2, 2), "b": torch.full((1, 2, 2), 2.0)}
    assert style_loss(g, t).item() == pytest.approx(1.0 + 4.0)
    assert style_loss(g, t, {"a": 2.0, "b": 0.5}).item() == pytest.approx(2.0 + 2.0)
    with pytest.raises(ValueError):
        style_loss({"a": g["a"]}, t)


def test_total_variation_constant_is_zero_and_step_counted():
    assert total_variation(torch.full((1, 3, 5, 5), 0.3)) == 0
    img = torch.zeros(1, 1, 2, 2)
    img[..., :, 1] = 1.0  # a vertical edge: horizontal differences all 1, vertical all 0
    assert total_variation(img).item() == pytest.approx(1.0)


@pytest.mark.parametrize("fn", ["gram", "content", "tv"])
def test_gradcheck(fn):
    torch.manual_seed(0)
    x = torch.randn(1, 2, 3, 3, dtype=torch.float64, requires_grad=True)
    target = torch.randn(1, 2, 3, 3, dtype=torch.float64)
    f = {"gram": gram_matrix, "content": lambda v: content_loss(v, target), "tv": total_variation}[fn]
    assert torch.autograd.gradcheck(f, (x,))


def test_perceptual_loss_terms_and_gradient_to_output():
    torch.manual_seed(0)
    cfg = LossConfig(content_layer="relu2_1", style_layers=("relu1_1", "relu2_1"))
    vgg = VGG19Features(last_layer=deepest_layer(cfg))
    content = torch.rand(1, 3, 16, 16)
    targets = style_targets(vgg, torch.rand(1, 3, 16, 16), cfg)
    out = content.clone().requires_grad_(True)
    terms = perceptual_loss(vgg, out, content, targets, cfg)
    assert set(terms) == {"content", "style", "tv", "total"}
    assert terms["content"].item() == 0
    torch.testing.assert_close(terms["total"], terms["content"] + terms["style"] + terms["tv"])
    terms["total"].backward()
    assert out.grad is not None and out.grad.abs().sum() > 0
    assert all(p.grad is None for p in vgg.parameters())
