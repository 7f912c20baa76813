"""StyleBank network (Chen, Yuan, Liao, Yu, Hua, CVPR 2017; the paper's ref. [2]).

An auto-encoder E -> D shared by all styles, and a bank K_i of convolutions per style applied to the
embedding: the stylisation branch is E -> K_i -> D, the auto-encoder branch E -> D (StyleBank
sec. 3.1). Layout for ``width=w``:

    E:   conv9x9(3->w) -> conv3x3/2(w->2w) -> conv3x3/2(2w->4w)   (one stride-1, two stride-2 layers)
    K_i: ``bank_layers`` x conv3x3(4w->4w)                         (one bank per style)
    D:   up2+conv3x3(4w->2w) -> up2+conv3x3(2w->w) -> conv9x9(w->3)

Every conv but the last is followed by instance norm and ReLU, as in StyleBank sec. 3.1. Departures,
stated: upsample-then-conv instead of fractionally strided convs (as filmstyle's TransformerNet,
against checkerboard artefacts), reflection padding, and a width small enough for a CPU
(w = 16 by default: 64 embedding channels against StyleBank's 128, chosen to match
filmstyle.nets.transformer.filmstyle_net(), so the three feed-forward methods have the same encoder and decoder).
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from filmstyle.nets.transformer import ConvLayer, UpsampleConv


class StyleBankNet(nn.Module):
    """Encoder, decoder and a list of per-style banks.

    Args (keyword-only): n_styles: banks to create; width: channels of the first layer;
    bank_layers: 3x3 convolutions per bank.

    ``forward(x, style=None)``: x (B, 3, H, W) RGB in [0, 1], any H, W >= 1 -> (B, 3, H, W),
    unclamped. ``style=None`` runs the auto-encoder branch, an int the stylisation branch of that bank.
    """

    def __init__(self, *, n_styles: int, width: int = 16, bank_layers: int = 2) -> None:
        super().__init__()
        if n_styles < 0 or width < 1 or bank_layers < 1:
            raise ValueError(f"need n_styles >= 0, width >= 1, bank_layers >= 1; got {n_styles}, {width}, {bank_layers}")
        self.config: dict[str, Any] = {"n_styles": n_styles, "width": width, "bank_layers": bank_layers}
        w = width
        self.encoder = nn.Sequential(ConvLayer(3, w, 9), ConvLayer(w, 2 * w, 3, stride=2),
                                     ConvLayer(2 * w, 4 * w, 3, stride=2))
        self.banks = nn.ModuleList(self._bank() for _ in range(n_styles))
        self.decoder = nn.Sequential(UpsampleConv(4 * w, 2 * w), UpsampleConv(2 * w, w),
                                     ConvLayer(w, 3, 9, norm=False, relu=False))

    def _bank(self) -> nn.Sequential:
        ch = 4 * self.config["width"]
        return nn.Sequential(*[ConvLayer(ch, ch, 3) for _ in range(self.config["bank_layers"])])

    def add_bank(self) -> int:
        """Append a freshly initialised bank (a new style); returns its index."""
        self.banks.append(self._bank())
        self.config["n_styles"] = len(self.banks)
        return len(self.banks) - 1

    def autoencoder_parameters(self) -> list[nn.Parameter]:
        """Parameters of E and D (frozen when a new bank is learnt)."""
        return [*self.encoder.parameters(), *self.decoder.parameters()]

    def forward(self, x: torch.Tensor, style: int | None = None) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected (B, 3, H, W), got {tuple(x.shape)}")
        if style is not None and not 0 <= style < len(self.banks):
            raise ValueError(f"style {style} out of range: the network has {len(self.banks)} banks")
        h, w = x.shape[-2:]
        # Two stride-2 convs: pad to a multiple of 4 (and at least 8 for the 9x9 reflection pad) so
        # the decoder returns the input size; replicate where the image is too small to reflect.
        ph, pw = max(-h % 4, 8 - h), max(-w % 4, 8 - w)
        if ph or pw:
            x = F.pad(x, (0, pw, 0, ph), mode="reflect" if h > ph and w > pw else "replicate")
        z = self.encoder(x)
        if style is not None:
            z = self.banks[style](z)
        return self.decoder(z)[..., :h, :w]


class BankView(nn.Module):
    """One style of a :class:`StyleBankNet` as a plain image-to-image module: x -> net(x, style)."""

    def __init__(self, net: StyleBankNet, style: int) -> None:
        super().__init__()
        self.net, self.style = net, style

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x, self.style)
