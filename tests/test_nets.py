import pytest
import torch

from filmstyle.nets import TransformerNet, VGG19Features, load_vgg19
from filmstyle.nets.vgg import layer_names


@pytest.mark.parametrize("hw", [(1, 1), (5, 7), (17, 33), (32, 32)])
def test_transformer_keeps_any_size(hw):
    net = TransformerNet(width=2, depth=1)
    out = net(torch.rand(2, 3, *hw))
    assert out.shape == (2, 3, *hw)


def test_transformer_config_and_norm_params():
    net = TransformerNet(width=4, depth=2)
    assert net.config == {"width": 4, "depth": 2}
    names = [n for n, _ in net.norm_parameters()]
    # 3 encoder convs + 2 per residual block + 2 upsampling convs, each with weight and bias
    assert len(names) == 2 * (3 + 2 * 2 + 2)
    assert all("weight" in n or "bias" in n for n in names)
    with pytest.raises(ValueError):
        TransformerNet(width=0)
    with pytest.raises(ValueError):
        net(torch.rand(1, 1, 8, 8))


def test_vgg_layer_names_and_truncation():
    names = layer_names()
    assert names[:5] == ["conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1"]
    assert len([n for n in names if n.startswith("conv")]) == 16
    vgg = VGG19Features(last_layer="relu2_1")
    assert vgg.names[-1] == "relu2_1"
    feats = vgg(torch.rand(1, 3, 8, 8), ["relu1_2", "relu2_1"])
    assert feats["relu1_2"].shape == (1, 64, 8, 8) and feats["relu2_1"].shape == (1, 128, 4, 4)
    with pytest.raises(ValueError):
        vgg(torch.rand(1, 3, 8, 8), ["relu3_1"])


def test_vgg_preprocessing_is_caffe_bgr_mean_subtracted():
    vgg = VGG19Features(last_layer="relu1_1")
    x = torch.zeros(1, 3, 1, 1)
    x[0, 0] = 1.0  # pure red
    y = vgg.preprocess(x).flatten().tolist()
    assert y == pytest.approx([-103.939, -116.779, 255 - 123.68])


def test_pretrained_vgg_loads_and_separates_images():
    vgg = load_vgg19("relu3_3")
    assert not any(p.requires_grad for p in vgg.parameters())
    first = vgg.layers[0].weight
    assert first.shape == (64, 3, 3, 3) and first.abs().sum() > 0
    torch.manual_seed(0)
    a = torch.rand(1, 3, 32, 32)
    fa = vgg(a, ["relu3_3"])["relu3_3"]
    assert (fa >= 0).all() and fa.abs().sum() > 0
    # Features of the same image are closer than of a different one (the weights are real).
    fb = vgg(torch.rand(1, 3, 32, 32), ["relu3_3"])["relu3_3"]
    fa2 = vgg(a + 0.01 * torch.randn_like(a), ["relu3_3"])["relu3_3"]
    assert (fa - fa2).pow(2).mean() < (fa - fb).pow(2).mean()


@pytest.mark.parametrize("hw", [(1, 1), (9, 13), (36, 64)])
def test_lean_transformer_keeps_any_size_and_its_config(hw):
    net = TransformerNet(width=4, depth=1, end_kernel=3, decoder=(4, 2))
    assert net(torch.rand(1, 3, *hw)).shape == (1, 3, *hw)
    assert net.config == {"width": 4, "depth": 1, "end_kernel": 3, "decoder": [4, 2]}
    assert TransformerNet(**net.config).config == net.config
    with pytest.raises(ValueError):
        TransformerNet(width=4, depth=1, end_kernel=4)
    with pytest.raises(ValueError):
        TransformerNet(width=4, depth=1, decoder=(0, 2))


def test_spec_names_what_differs_from_johnsons_layout():
    assert TransformerNet(width=16, depth=5).spec == "16x5"
    assert TransformerNet(width=16, depth=3, end_kernel=3, decoder=(16, 8)).spec == "16x3k3d16-8"
    assert TransformerNet(width=8, depth=2, end_kernel=5).spec == "8x2k5"


def test_macs_per_pixel_counts_each_conv_at_its_resolution():
    w, d = 16, 5  # by hand: 9x9 ends at full res, two stride-2 convs, 2d body convs at 1/16, two upsampling convs
    by_hand = 81 * 3 * w + 9 * w * 2 * w / 4 + 9 * 2 * w * 4 * w / 16 + 2 * d * 9 * (4 * w) ** 2 / 16 \
        + 9 * 4 * w * 2 * w / 4 + 9 * 2 * w * w + 81 * w * 3
    assert TransformerNet(width=w, depth=d).macs_per_pixel() == round(by_hand)
    lean = TransformerNet(width=w, depth=d, end_kernel=3, decoder=(w, w // 2))
    assert lean.macs_per_pixel() < 0.75 * by_hand
