import torch

from filmstyle.nets import TransformerNet
from filmstyle.training.pretrain import pretrain_identity


def test_identity_warmup_lowers_reconstruction_error():
    torch.manual_seed(0)
    images = [torch.rand(1, 3, 20, 20) for _ in range(2)]
    net = TransformerNet(width=4, depth=1)
    x = images[0][..., :16, :16]
    with torch.no_grad():
        before = (net(x) - x).abs().mean()
    losses = pretrain_identity(net, images, steps=120, size=16, batch=2, lr=1e-2)
    with torch.no_grad():
        after = (net(x) - x).abs().mean()
    assert len(losses) == 120 and not net.training
    assert after < 0.5 * before
