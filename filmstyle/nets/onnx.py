"""The transform network in ONNX: an export whose graph pads and crops by itself, and an ONNX Runtime
session that is called like the network (the ``onnx`` backend of render and stylize).

The graph: ``image`` (B, 3, H, W) float32 RGB in [0, 1], any B, H, W >= 1 -> ``styled`` (B, 3, H, W),
unclamped: what :meth:`TransformerNet.forward` returns, within float rounding (~1e-5).

:meth:`TransformerNet.forward` pads to :func:`~filmstyle.nets.transformer.pad_to_fit` with Python
branches on the size (reflect, or replicate when a side is smaller than its padding). A graph traced
for one size cannot branch on it, so :class:`PaddedNet` computes the same padding as row and column
indices (arithmetic on the symbolic H and W, a ``where`` for the mode) and gathers them: one graph
for every size. It is exported with torch's ``torch.export``-based exporter (``dynamo=True``, the
default since torch 2.9), which keeps H and W symbolic through that arithmetic. The deprecated
TorchScript exporter traces sizes as tensors, which :func:`pad_to_fit`'s ``torch.sym_max`` refuses
(and a Python ``max`` would be fixed at the example's size).

The exporter takes ~10 s, so it runs once per architecture (its export is kept in the cache
folder); a network's model is that export with the network's weights put in (:func:`to_onnx`).

onnx, onnxscript (the exporter's) and onnxruntime are optional (``pip install 'filmstyle[onnx]'``)
and imported here only when used, so the command starts without them.
"""
from __future__ import annotations

import contextlib
import copy
import gzip
import hashlib
import importlib
import logging
import os
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType

import numpy as np
import torch
from torch import nn

from filmstyle.core import __version__
from filmstyle.core.assets import ONNX_TEMPLATES
from filmstyle.core.config import ONNX_OPSET
from filmstyle.core.errors import InputError
from filmstyle.core.files import atomic_path, cache_dir
from filmstyle.core.store import weights_sha256
from filmstyle.nets.transformer import TransformerNet, pad_to_fit

INPUT, OUTPUT = "image", "styled"  # the graph's input and output names
log = logging.getLogger(__name__)
_EXPORTED: dict[tuple[str, str], bytes] = {}  # (config, weights' SHA-256) -> model: a network is exported once
_TEMPLATES: dict[str, bytes] = {}  # an architecture's key -> its export (:func:`_templates`)
_KEEP = 4  # models kept in _EXPORTED, the newest


def require(module: str) -> ModuleType:
    """Import an optional module of the ``onnx`` extra; InputError saying how to install it if missing."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise InputError(None, f"ONNX needs the Python package {module}, which is not installed",
                         "pip install 'filmstyle[onnx]'") from None


def _rows(n: torch.SymInt | int, pad: torch.SymInt | int) -> tuple[torch.Tensor, torch.Tensor]:
    """Source indices of a side of ``n`` px padded by ``pad`` at its end: (reflected, replicated),
    (n + pad,) int64 each. The reflected indices go negative when ``pad >= n`` (reflection impossible)."""
    i = torch.arange(n + pad)
    return torch.where(i < n, i, 2 * (n - 1) - i), i.clamp(max=n - 1)


class PaddedNet(nn.Module):
    """``net`` with its padding written as tensor operations, for export: the same function as
    ``net.forward`` for every input size, with no branch on the size."""

    def __init__(self, net: TransformerNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2], x.shape[-1]
        reflect_h, replicate_h = _rows(h, pad_to_fit(h))
        reflect_w, replicate_w = _rows(w, pad_to_fit(w))
        # forward reflects when both sides are longer than their padding, i.e. no reflected index is negative
        reflect = (reflect_h.min() >= 0) & (reflect_w.min() >= 0)
        x = x.index_select(2, torch.where(reflect, reflect_h, replicate_h))
        x = x.index_select(3, torch.where(reflect, reflect_w, replicate_w))
        return self.net.body(x)[..., :h, :w]


@contextlib.contextmanager
def _quiet_exporter() -> Iterator[None]:
    """The exporter's notices (optional torchvision ops it skips, a deprecation inside torch) are not
    the user's concern: silence them for the export only."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        logger.setLevel(level)


def _trace(net: TransformerNet) -> bytes:
    """``net`` exported by torch's exporter (seconds: torch.export traces it), without metadata."""
    require("onnxscript")  # what torch's exporter translates with
    # no dimension of 0 or 1 in the example: torch.export would take it as fixed
    example = torch.rand(2, 3, 33, 47, generator=torch.Generator().manual_seed(0))
    dims = {0: torch.export.Dim("batch"), 2: torch.export.Dim("height", min=1), 3: torch.export.Dim("width", min=1)}
    training = net.training
    try:
        with _quiet_exporter():
            program = torch.onnx.export(PaddedNet(net).eval(), (example,), dynamo=True, input_names=[INPUT],
                                        output_names=[OUTPUT], dynamic_shapes={"x": dims},
                                        opset_version=ONNX_OPSET, verbose=False)
    finally:
        net.train(training)  # the caller's module as it was
    model = program.model_proto
    for i, name in ((2, "height"), (3, "width")):  # the output is the input's size (not the exporter's formula of it)
        model.graph.output[0].type.tensor_type.shape.dim[i].dim_param = name
    return model.SerializeToString()


def _distinct(net: TransformerNet) -> TransformerNet:
    """A copy of ``net`` whose every weight is random: the exporter merges initializers of equal
    values (a new network's normalisation scales are all ones), which would leave some of another
    network's weights without a place."""
    twin = copy.deepcopy(net)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for tensor in twin.state_dict().values():
            tensor.copy_(torch.randn(tensor.shape, generator=generator))
    return twin


def architecture_key(net: TransformerNet) -> str:
    """A short name of ``net``'s architecture (its config), for the shipped export's file."""
    return hashlib.sha256(repr(net.config).encode()).hexdigest()[:16]


def shipped_template(net: TransformerNet) -> Path:
    """Where filmstyle ships an export of ``net``'s architecture, if it ships one (the shipped init's
    and looks'): gzipped, its weights zeros, made by :func:`write_shipped_template`."""
    return ONNX_TEMPLATES / f"architecture-{architecture_key(net)}.onnx.gz"


def write_shipped_template(net: TransformerNet, path: Path | None = None) -> Path:
    """Trace ``net``'s architecture and write it, weights zeroed (they are replaced on use) and
    gzipped (a few kB), to ``path`` (default :func:`shipped_template`), atomically."""
    onnx = require("onnx")
    proto = onnx.load_from_string(_trace(_distinct(net)))
    for init in proto.graph.initializer:
        if init.name.startswith("net."):
            init.raw_data = bytes(len(init.raw_data))
    path = Path(path or shipped_template(net))
    with atomic_path(path) as tmp, open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(proto.SerializeToString())
    return path


def _templates(net: TransformerNet, folder: Path) -> Iterator[bytes]:
    """Exports of ``net``'s architecture (their weights not ``net``'s) to try, in turn: the one this
    filmstyle, torch and opset made before (in memory, or kept in ``folder``), the one filmstyle
    ships, and a new trace (seconds), which is kept (in ``folder`` atomically; a folder that cannot
    be written only costs the next process a trace)."""
    key = hashlib.sha256(repr((net.config, __version__, torch.__version__, ONNX_OPSET)).encode()).hexdigest()[:32]
    path = folder / f"architecture-{key}.onnx"
    if key not in _TEMPLATES:
        with contextlib.suppress(OSError):
            _TEMPLATES[key] = path.read_bytes()
    if key in _TEMPLATES:
        yield _TEMPLATES[key]
    with contextlib.suppress(OSError, EOFError, gzip.BadGzipFile):
        yield gzip.decompress(shipped_template(net).read_bytes())
    model = _TEMPLATES[key] = _trace(_distinct(net))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_bytes(model)
    except (OSError, InputError) as e:
        log.debug("ONNX export not cached in %s: %s", folder, e)
    yield model


def with_weights(model: bytes, net: TransformerNet):  # noqa: ANN201 - an onnx.ModelProto, or None
    """``model`` (an export of ``net``'s architecture) with ``net``'s weights in place of its own, or
    None where the two do not line up: the exporter names each weight's initializer ``net.`` and the
    parameter's name, so every one of ``net``'s tensors must have exactly one initializer of that name,
    shape and type (float32), and every ``net.`` initializer a tensor."""
    onnx = require("onnx")
    proto = onnx.load_from_string(model)
    state = {f"net.{k}": v for k, v in net.state_dict().items()}
    done: set[str] = set()
    for init in proto.graph.initializer:
        if not init.name.startswith("net."):
            continue  # the padding's constants
        tensor = state.get(init.name)
        if (tensor is None or init.name in done or tensor.dtype != torch.float32
                or init.data_type != onnx.TensorProto.FLOAT or tuple(init.dims) != tuple(tensor.shape)
                or init.data_location == onnx.TensorProto.EXTERNAL):
            return None
        init.ClearField("float_data")
        init.raw_data = np.ascontiguousarray(tensor.detach().cpu().numpy(), dtype="<f4").tobytes()
        done.add(init.name)
    return proto if done == set(state) else None


def _agrees(model: bytes, net: TransformerNet) -> bool:
    """Whether ``model`` computes ``net`` (ONNX Runtime against torch on a small odd-sized input)."""
    x = torch.rand(1, 3, 19, 23, generator=torch.Generator().manual_seed(1))
    training = net.training
    try:
        with torch.no_grad():
            want = net.eval()(x.to(next(net.parameters()).device)).cpu()
    finally:
        net.train(training)
    got = OnnxNet(model, threads=1)(x)
    return got.shape == want.shape and float((got - want).abs().max()) <= 1e-4


def to_onnx(net: TransformerNet, *, metadata: Mapping[str, str] | None = None, doc: str = "",
            cache: Path | None = None) -> bytes:
    """``net`` as a serialised ONNX model (opset :data:`~filmstyle.core.config.ONNX_OPSET`), batch,
    height and width dynamic; ``metadata``: string pairs stored in the model's ``metadata_props``.
    InputError if the ``onnx`` extra is not installed.

    torch's exporter takes ~10 s (torch.export traces the net), once per architecture: its export is
    kept in ``cache`` (default: ``onnx/`` in :func:`filmstyle.core.files.cache_dir`; filmstyle ships
    the export of its own looks' architecture), and the model of any network of that architecture
    is that export with the network's weights put in (:func:`with_weights`, checked against torch
    on a small input; traced afresh where none takes them).
    """
    for template in _templates(net, cache if cache is not None else cache_dir() / "onnx"):
        model = with_weights(template, net)
        if model is not None and _agrees(model.SerializeToString(), net):
            break
    else:
        log.debug("no export of the architecture took these weights; exporting this network")
        model = require("onnx").load_from_string(_trace(net))
    model.doc_string = doc
    require("onnx").helper.set_model_props(model, dict(metadata or {}))
    return model.SerializeToString()


class OnnxNet:
    """An ONNX Runtime session of a transform network, called like the network:
    ``(B, 3, H, W)`` float RGB in [0, 1] -> the same size, unclamped (a new tensor).

    ``model``: the serialised model (:func:`to_onnx`) or the path of an ``.onnx`` file. ``threads``:
    intra-op threads (None: as many as torch uses, by default one per core, so the backends compare
    on the same cores). ``cuda``: on the GPU, through onnxruntime-gpu's CUDA provider. InputError if
    onnxruntime (or, with ``cuda``, its CUDA provider) is not installed.
    """

    def __init__(self, model: bytes | str | os.PathLike, *, threads: int | None = None, cuda: bool = False) -> None:
        ort = require("onnxruntime")
        providers = ["CPUExecutionProvider"]
        if cuda:
            if "CUDAExecutionProvider" not in ort.get_available_providers():
                raise InputError(None, "--backend onnx on a GPU needs onnxruntime's CUDA provider, which this "
                                 "onnxruntime lacks", "pip install onnxruntime-gpu, or use --backend torch")
            providers.insert(0, "CUDAExecutionProvider")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1  # one chain of convolutions: nothing runs side by side
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only
        source = model if isinstance(model, bytes) else os.fspath(model)
        self.session = ort.InferenceSession(source, options, providers=providers)

    @classmethod
    def from_net(cls, net: TransformerNet, *, threads: int | None = None, cache: Path | None = None,
                 cuda: bool = False) -> OnnxNet:
        """A session of ``net``, from :func:`to_onnx` (``cache`` as there). The model is kept for the
        process's next session of the same weights (a render sets one up per clip)."""
        key = (repr(net.config), weights_sha256(net.state_dict()))
        if key not in _EXPORTED:
            while len(_EXPORTED) >= _KEEP:
                del _EXPORTED[next(iter(_EXPORTED))]
            _EXPORTED[key] = to_onnx(net, cache=cache)
        return cls(_EXPORTED[key], threads=threads, cuda=cuda)

    @property
    def metadata(self) -> dict[str, str]:
        """The model's ``metadata_props``."""
        return dict(self.session.get_modelmeta().custom_metadata_map)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected (B, 3, H, W), got {tuple(x.shape)}")
        image = np.ascontiguousarray(x.detach().cpu().numpy(), dtype=np.float32)
        return torch.from_numpy(self.session.run([OUTPUT], {INPUT: image})[0])
