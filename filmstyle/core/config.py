"""Every option of the library and its default, in one place.

Frozen dataclasses (what a look is trained with, how it is rendered, graded, meta-trained and
benchmarked) and the names of every registry. Nothing here imports torch or numpy: the CLI builds its
parser from these classes (its options default to "not given", and their help shows the default
read from here), so ``filmstyle --help`` is instant and the command and the Python API cannot drift
apart. Invalid values raise :class:`~filmstyle.core.errors.InputError` naming the option.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Mapping

from filmstyle.core.assets import shared_data
from filmstyle.core.errors import InputError

# Names of the registries; each registry is a dict keyed by exactly these (tests/test_config.py).
FLOWS = ("dis", "farneback", "deepflow")  # filmstyle.temporal.flow.FLOW_METHODS
TRANSFERS = ("reinhard", "histogram", "mk")  # filmstyle.lut.transfer.TRANSFERS
STILL_METHODS = (*TRANSFERS, "learned")  # how a LUT is made from a still (learned: filmstyle.grading.fit)
LUT_FORMATS = ("cube", "resolve", "hald")  # filmstyle.lut.lut3d
LUT_SIZES = (17, 33, 65)  # the usual lattice sizes of exchanged .cube files (Resolve, Adobe, camera LUTs)
CODECS = ("h264", "prores")  # filmstyle.core.video
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow")  # libx264's
TEMPORAL_MODES = ("none", "blend")
TONES = ("grade", "anchor", "none")  # filmstyle.grading.tone
DEVICES = ("auto", "cpu", "cuda")  # --device (filmstyle.core.device): auto = cuda where torch sees a GPU, else cpu
DEVICE = "auto"  # the default of every command that computes with torch
DETAILS = ("source", "network")  # render --detail: the finest detail from the footage, or from the network at full size
COLOR_STAGES = ("before", "after")
EXECUTORS = ("auto", "local", "process", "ray")  # where the segments of a long render run (filmstyle.segments)
BACKENDS = ("torch", "onnx")  # what runs the network in render and stylize (filmstyle.nets.backend.BACKENDS)
BACKEND_CHOICES = ("auto", *BACKENDS)  # auto: filmstyle.nets.backend.choose
# `filmstyle export` and the onnx backend: ONNX opset 18, the opset torch's exporter writes its ops in
# (torch.onnx's TORCHLIB_OPSET; no version conversion) and read by ONNX Runtime from 1.14 on.
ONNX_OPSET = 18
# --tone grade: the network's detail is its output above this Gaussian scale (px at a short side of 360,
# scaled with the frame); chosen on the development pairs (docs/results/looks.md). A look keeps the
# value it was adapted with (its "adapt" header), and render uses that.
DETAIL_SIGMA = 4.0
ADAPT_TONES = ("grade", "none")  # what adapt's loss sees: the render's --tone grade composite, or the raw output
PARAMS = ("all", "norm")  # what adaptation trains: every weight, or the instance-norm scales/shifts
OUTER_LOOPS = ("reptile", "fomaml", "maml", "es")  # filmstyle.training.meta.OUTER
METHODS = ("meta", "meta-fast", "johnson", "stylebank", "gatys", "pastiche")  # filmstyle.methods.METHODS


def _positive(**values: float) -> None:
    for name, v in values.items():
        if not v > 0:
            raise InputError(None, f"--{name.replace('_', '-')} must be positive, got {v}")


def _one_of(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InputError(None, f"unknown --{name.replace('_', '-')} {value!r}", f"use one of: {', '.join(choices)}")


def _encoder(crf: int, preset: str) -> None:
    if not 0 <= crf <= 51:
        raise InputError(None, f"--crf must be between 0 and 51 (libx264), got {crf}", "18 is visually lossless")
    _one_of("preset", preset, PRESETS)


def _strength(strength: float) -> None:
    if not 0.0 <= strength <= 1.0:
        raise InputError(None, f"--strength must be between 0 and 1, got {strength}", "use e.g. --strength 0.7")


# The largest frame filmstyle writes: H.264's level 6.2 (8192 px a side, 139,264 macroblocks of 16x16 =
# 35.7 MP, e.g. 8192x4320); a 4K frame renders in under 2 GB (docs/results/speed.md), this one in about 4x that.
MAX_VIDEO_SIDE = 8192
MAX_VIDEO_PIXELS = 139_264 * 256


def _size(size: tuple[int, int] | None) -> None:
    if size is None:
        return
    if size[0] < 16 or size[1] < 16:
        raise InputError(None, f"--size {size[0]}x{size[1]} is too small", "use at least 16x16")
    if max(size) > MAX_VIDEO_SIDE or size[0] * size[1] > MAX_VIDEO_PIXELS:
        raise InputError(None, f"--size {size[0]}x{size[1]} is larger than filmstyle renders (H.264 level 6.2: at most "
                         f"{MAX_VIDEO_SIDE} px a side and {MAX_VIDEO_PIXELS / 1e6:.1f} MP)", "use e.g. 3840x2160")


@dataclass(frozen=True)
class LossConfig:
    """Perceptual loss setting.

    content_layer: relu3_3, as in the paper (sec. 3.4) and Johnson et al.'s style experiments.
    style_layers: relu1_2, relu2_2, relu3_3, relu4_3 (Johnson et al. 2016, sec. 4.1).
    Weights are set by measurement for images in [0, 1] fed to the Caffe VGG19 (see README).
    """

    content_layer: str = "relu3_3"
    style_layers: tuple[str, ...] = ("relu1_2", "relu2_2", "relu3_3", "relu4_3")
    # Raw terms on Caffe-scaled features are large (content ~1e5, style ~1e5-1e6 per image pair);
    # these weights bring them to O(1) with style and content balanced (measured, see README).
    content_weight: float = 1e-5
    style_weight: float = 1e-5
    tv_weight: float = 1.0
    # Weight of the temporal loss (filmstyle.temporal.loss) during adaptation on a clip; 0 = off.
    # Ruder et al.'s short-term temporal loss on consecutive frames of the clip (adaptation only); 0 = off.
    # Measured with benchmarks/temporal_weight.py (docs/results/temporal.md): on animated clips 300-1000
    # lower the per-frame e_stab by 13-34% with the style distance not rising, but on handheld live
    # action 300 doubles the style distance and 30-100 change neither measurably. No weight helps
    # everywhere within 50 steps, so it is off; flow-guided blending in render does the stabilising.
    temporal_weight: float = 0.0

    def __post_init__(self) -> None:
        _positive(style_weight=self.style_weight)
        if not self.temporal_weight >= 0:  # nan too
            raise InputError(None, f"--temporal-weight must be 0 or more, got {self.temporal_weight}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AdaptConfig:
    """Adaptation of the transform network to one style (the inner loop).

    Adam with batch 1 as in the paper (sec. 4.2). The defaults suit the shipped meta-learned init
    (measured, docs/results/meta.md: lr 1e-4 as in the paper); from scratch use lr 1e-3 and hundreds of steps.
    """

    steps: int = 50
    lr: float = 1e-4
    # the clip's frames (short side) and the still are scaled to this, and the crops are this square:
    # 224 px costs 22% less per step than Johnson et al.'s 256 (the whole command 76 -> 60 s on the
    # project's 2-core CPU) and gave the same looks on the 15 development pairs (docs/results/meta.md)
    size: int = 224
    seed: int = 0
    params: str = "all"  # "all" or "norm" (instance-norm scales/shifts only, as MetaStyle)
    frames: int = 32  # content frames sampled from the clip
    # "grade": the loss sees what `render --tone grade` shows (the clip's colour grade toward the still
    # plus the network's detail), so the network learns the detail that goes over the grade; "none":
    # the network's raw output (Johnson et al.). Measured on 6 development pairs (docs/results/looks.md):
    # the render's style distance 0.47 -> 0.33 on the mean (lower on 4, within 0.01 on 2), e_stab lower on 5.
    tone: str = "grade"
    detail_sigma: float = DETAIL_SIGMA  # with tone "grade": the detail band the network learns (px at 360p)
    loss: LossConfig = field(default_factory=LossConfig)

    def __post_init__(self) -> None:
        _positive(steps=self.steps, frames=self.frames, lr=self.lr)
        if self.size < 8:
            raise InputError(None, f"--size must be at least 8 px, got {self.size}")
        _one_of("params", self.params, PARAMS)
        _one_of("tone", self.tone, ADAPT_TONES)
        _positive(detail_sigma=self.detail_sigma)

    @classmethod
    def for_init(cls, init: str, **given: Any) -> AdaptConfig:
        """The defaults for an initialisation: from ``"scratch"`` (Johnson et al.: random weights) 500
        steps at lr 1e-3 (Johnson et al. 2016, sec. 4.1), from a meta-learned init the class defaults
        (measured, docs/results: lr 1e-4 beats 1e-3 from K=25 on, 3e-3 diverges). ``given`` overrides."""
        base = {"steps": SCRATCH_STEPS, "lr": SCRATCH_LR} if init == "scratch" else {}
        return cls(**{**base, **given})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# render --tone grade: the network's working short side (px). At 360 the network's detail costs what it
# does at 640x360 whatever the frame's size. Half that (180) on 640x360 renders of 15 development pairs
# (docs/results/looks.md): e_stab/floor 1.94 -> 1.43 and SSIM 0.83 -> 0.86, but style distance 0.447 ->
# 0.484, up most on the painterly and contrasty stills (coarser strokes); so the default keeps 360.
NETWORK_SIDE = 360
# render --network-every (auto, with --temporal blend and --tone grade): the network on 1 frame in 3, its
# detail carried along the blending's flow between. Measured (docs/results/speed.md): on 6 development pairs
# and 4 of Table 1's clips x held-out stills, 1, 2 and 3 differ by at most 0.02 in palette, SSIM and style
# distance and e_stab falls a little; 1080p renders at 2x the FPS (6.5 -> 13.1). The blending already
# carries 80% of each frame's detail from the frame before.
NETWORK_EVERY = 3
# render --detail-limit (with --tone grade): the network's detail held locally to this many times the footage's own
# detail in its band, so that it invents no texture on flat walls, sky and fog. Measured on 6 development pairs
# (docs/results/looks.md): against no limit, e_stab/floor 1.97 -> 1.71, SSIM 0.83 -> 0.86, style distance 0.703 ->
# 0.718 (1: 1.51, 0.89, 0.737, visibly less painterly; 3: 1.81, 0.85, 0.711); the film stills' looks unchanged, on
# Table 1's clips too. 0: no limit.
DETAIL_LIMIT = 2.0
ADAPT_INIT = "meta"  # adapt starts from the shipped meta-learned init ("scratch": random weights; or a file)
SCRATCH_STEPS = 500  # adapt --init scratch: a random network needs hundreds of steps (docs/results/meta.md)
SCRATCH_LR = 1e-3  # Johnson et al. 2016, sec. 4.1


@dataclass(frozen=True)
class Compute:
    """Where torch computes in ``adapt``, ``meta-train`` and ``bench`` (``render`` and ``stylize``: the
    same field of :class:`RenderOptions`): ``device`` "auto" (a CUDA GPU where torch sees one, else
    the CPU), "cpu" or "cuda" (:mod:`filmstyle.core.device`). Not part of any run's identity: a run
    checkpointed on one device resumes on another."""

    device: str = DEVICE

    def __post_init__(self) -> None:
        _one_of("device", self.device, DEVICES)


@dataclass(frozen=True)
class Output:
    """What a command may do to its output file. ``force`` False refuses an existing output (as ffmpeg
    does without -y); an output that is one of the inputs is refused always
    (:func:`filmstyle.core.files.claim_output`)."""

    force: bool = False


@dataclass(frozen=True)
class RenderOptions:
    """How a look is applied to a video or an image.

    size: output (width, height) in pixels, or None for the source size.
    strength: 1 = full look, 0 = the source unchanged (linear blend in RGB).
    preserve_color: keep the source's chroma, take only the stylised luma.
    temporal: "blend" (flow-guided blending with the previous output, :mod:`filmstyle.temporal.blend`;
    measured in docs/results/temporal.md: 44-69% less flicker for 5-9% of the FPS) or "none" (each
    frame on its own); cuts: where blending restarts: "auto" (online shot-cut detection), "none", or
    the path of a cuts file (one frame index per line); flow: the flow method used for blending.
    color_transfer: None, or a colour transfer toward ``color_still`` applied at ``color_stage``
    "before" the network or "after" it; lut: a LUT file (.cube or Hald CLUT) applied to the output last.
    codec, crf, preset: the encoder (:func:`filmstyle.core.video.transcode`): libx264 ``superfast`` at
    crf 18, as ``filmstyle grade``, so that encoding 1080p costs a small part of the frame time
    (``medium``, libx264's own default, took ~90 ms of the main thread per 1080p frame on 2 cores).
    tone (:mod:`filmstyle.grading.tone`, measured in docs/results/looks.md): "grade" takes the look's
    colour and tone from a colour grade toward the look's still, fitted to the clip, adds the
    network's detail, and keeps the clip's exposure changes; "anchor" ties the network's brightness to
    the source's through the look's own tone curve (videos only); "none" leaves the network's output.
    detail: where the finest detail comes from. "source": the network runs on the picture shrunk to
    a short side of ``network_side`` px (its working size) when it is larger, and the footage keeps
    its own finer detail: with ``tone`` "grade" the grade is applied at full size and the network's
    detail scaled up onto it; with the other tones the look is carried to full size by guided
    upsampling (:mod:`filmstyle.core.guided`), a local affine model of the look in the footage's
    luma. Flow blending runs at the working size too. So a 4K render costs the network what a 360p
    preview does and shows the same texture at the same scale in the frame. "network": the network
    at the frame's full size (slower by the pixel count; the network's own fine texture).
    network_side: that working short side (px); None: as ``detail`` "network".
    network_every: run the network on every Nth frame of the clip (and at each cut); the frames between
    take the previous output (with ``tone`` "grade": the network's detail) carried along the blending's
    flow (:class:`filmstyle.render.BlendingStylizer`). 1: every frame; more needs ``temporal`` "blend".
    None (auto): :data:`NETWORK_EVERY` with ``temporal`` "blend" and ``tone`` "grade" (where it was
    measured), else 1; ``every`` is the value in effect.
    detail_limit: with ``tone`` "grade", the network's detail is held to at most this many times the
    footage's own detail in the same band, locally (plus :data:`filmstyle.grading.tone.DETAIL_FLOOR`
    levels): where the footage is flat (fog, sky, a wall) the network may not invent texture
    (:func:`filmstyle.grading.tone.limit_detail`; :data:`DETAIL_LIMIT`). 0: no limit.
    backend: what runs the network: "torch", "onnx" (ONNX Runtime on the network exported in memory,
    :mod:`filmstyle.nets.onnx`; needs ``pip install 'filmstyle[onnx]'``), or "auto": onnx for a video
    where that extra is installed, else torch. Both give the same frames within a level; onnx ran the
    network faster per frame on a CPU but its export costs seconds once per render, which one image
    does not repay (docs/results/speed.md). On a GPU "auto" is torch.
    device: where the network runs (:mod:`filmstyle.core.device`): "auto" (a CUDA GPU where torch
    sees one, else the CPU), "cpu" or "cuda".
    strict: a damaged or truncated video (:func:`filmstyle.core.video.transcode`) is refused and nothing
    is written; by default what decodes is rendered and the damage is reported.
    """

    size: tuple[int, int] | None = None
    max_frames: int | None = None
    strength: float = 1.0
    preserve_color: bool = False
    codec: str = "h264"
    crf: int = 18
    preset: str = "superfast"
    temporal: str = "blend"
    cuts: str = "auto"
    flow: str = "dis"
    color_transfer: str | None = None
    color_still: str | None = None
    color_stage: str = "before"
    lut: str | None = None
    tone: str = "grade"
    detail: str = "source"
    network_side: int | None = NETWORK_SIDE
    network_every: int | None = None
    detail_limit: float = DETAIL_LIMIT
    backend: str = "auto"
    device: str = DEVICE
    strict: bool = False

    def __post_init__(self) -> None:
        _strength(self.strength)
        _one_of("backend", self.backend, BACKEND_CHOICES)
        _one_of("device", self.device, DEVICES)
        _one_of("detail", self.detail, DETAILS)
        if self.network_side is not None and self.network_side < 16:
            raise InputError(None, f"--network-side must be at least 16 px, got {self.network_side}")
        if self.network_every is not None and self.network_every < 1:
            raise InputError(None, f"--network-every must be at least 1, got {self.network_every}")
        if not self.detail_limit >= 0:
            raise InputError(None, f"--detail-limit must be 0 (no limit) or more, got {self.detail_limit}")
        _one_of("tone", self.tone, TONES)
        _one_of("codec", self.codec, CODECS)
        _encoder(self.crf, self.preset)
        if self.max_frames is not None and self.max_frames < 1:
            raise InputError(None, f"--max-frames must be at least 1, got {self.max_frames}")
        _size(self.size)
        _one_of("temporal", self.temporal, TEMPORAL_MODES)
        _one_of("flow", self.flow, FLOWS)
        if self.network_every is not None and self.network_every > 1 and self.temporal != "blend":
            raise InputError(None, f"--network-every {self.network_every} carries the look along the flow between "
                             f"the network's frames, which --temporal {self.temporal} does not compute",
                             "use --temporal blend (the default), or leave --network-every out")
        if self.color_transfer is not None:
            _one_of("color_transfer", self.color_transfer, TRANSFERS)
        if (self.color_transfer is None) != (self.color_still is None):
            raise InputError(None, "--color-transfer and --color-still go together", "give both, or neither")
        _one_of("color_stage", self.color_stage, COLOR_STAGES)

    @property
    def every(self) -> int:
        """The ``network_every`` in effect (auto resolved)."""
        if self.network_every is not None:
            return self.network_every
        return NETWORK_EVERY if self.temporal == "blend" and self.tone == "grade" else 1


@dataclass(frozen=True)
class Executing:
    """Where independent jobs run (:mod:`filmstyle.core.executors`): ``executor`` one of
    :data:`EXECUTORS`, ``jobs`` processes side by side, ``address`` the Ray cluster. Shared by the
    segments of a render (:class:`Segmenting`) and the cells of Table 1 (:class:`BenchConfig`)."""

    executor: str = "auto"
    jobs: int = 1
    address: str | None = None

    def __post_init__(self) -> None:
        _one_of("executor", self.executor, EXECUTORS)
        if self.jobs < 1:
            raise InputError(None, f"--jobs must be at least 1, got {self.jobs}")

    @property
    def executor_kind(self) -> str:
        """The executor that runs: "auto" is process with ``jobs`` above 1, else local."""
        return self.executor if self.executor != "auto" else ("process" if self.jobs > 1 else "local")


@dataclass(frozen=True)
class Segmenting(Executing):
    """How a long render is split (:mod:`filmstyle.segments`). A clip of ``split_from`` segments or
    more (or any clip given ``workdir`` or ``jobs`` above 1) is rendered in segments of about
    ``segment_seconds``, each in the work directory (default: a hidden folder beside the output) until
    the join, so that a killed render resumes where it was; ``jobs`` processes render segments side by
    side; ``warmup`` frames before each segment run through the blending without being written;
    ``keep_workdir`` keeps the segments after the join. ``executor``: "local" (one segment after
    another in this process), "process" (a pool of ``jobs`` processes on this machine), "ray" (Ray
    tasks on the cluster at ``address``: "auto", "ray://HOST:PORT", or none for a Ray started here;
    ``pip install 'filmstyle[ray]'``; the work directory must be a path every node sees), or "auto":
    process when ``jobs`` is above 1, else local."""

    workdir: str | None = None
    segment_seconds: float = 60.0
    warmup: int = 8
    keep_workdir: bool = False
    split_from: float = 2.0  # in segments: clips of 2 minutes and more by default

    def __post_init__(self) -> None:
        super().__post_init__()
        _positive(segment_seconds=self.segment_seconds)
        if self.warmup < 0:
            raise InputError(None, f"--warmup must be 0 or more, got {self.warmup}")


@dataclass(frozen=True)
class EvalOptions:
    """The stability measurement of ``filmstyle eval``: flow on the source frames (DeepFlow, as the
    paper's sec. 4.1; "dis" is about 30x faster), the shot cuts whose frame pairs are left out ("auto":
    detected on the source, as the render does; "none"; or a cuts file) and an optional frame limit."""

    flow: str = "deepflow"
    cuts: str = "auto"
    max_frames: int | None = None

    def __post_init__(self) -> None:
        _one_of("flow", self.flow, FLOWS)
        if self.max_frames is not None and self.max_frames < 2:
            raise InputError(None, f"--max-frames must be at least 2, got {self.max_frames}")


@dataclass(frozen=True)
class LutOptions:
    """How ``filmstyle lut`` makes a LUT. size: lattice points per axis; method: for a still, how its
    colours are carried (:data:`STILL_METHODS`); strength: blend with the identity in LUT space;
    steps: Adam steps of the learned fit (100: about 20 s); format: None = from the file's suffix."""

    size: int = 33
    method: str = "mk"
    strength: float = 1.0
    steps: int = 100
    format: str | None = None

    def __post_init__(self) -> None:
        if self.size not in LUT_SIZES:
            raise InputError(None, f"--size must be one of {', '.join(map(str, LUT_SIZES))}, got {self.size}")
        _one_of("method", self.method, STILL_METHODS)
        _strength(self.strength)
        _positive(steps=self.steps)
        if self.format is not None:
            _one_of("format", self.format, LUT_FORMATS)


@dataclass(frozen=True)
class GradeOptions:
    """How ``filmstyle grade`` encodes. libx264 ``superfast`` at crf 18: real time at 1080p on 2 cores
    (docs/results/grading.md); slower presets compress better."""

    strength: float = 1.0
    size: tuple[int, int] | None = None
    max_frames: int | None = None
    codec: str = "h264"
    crf: int = 18
    preset: str = "superfast"
    strict: bool = False  # as RenderOptions.strict

    def __post_init__(self) -> None:
        _strength(self.strength)
        _size(self.size)
        if self.max_frames is not None and self.max_frames < 1:
            raise InputError(None, f"--max-frames must be at least 1, got {self.max_frames}")
        _one_of("codec", self.codec, CODECS)
        _encoder(self.crf, self.preset)


# Outer step sizes: Reptile's meta-step 0.1 is the default of openai/supervised-reptile (args.py);
# Adam 1e-3 is MAML's meta_lr (cbfinn/maml, main.py); ES: Adam 1e-2, noise 0.02 and centred ranks
# are the ES defaults of Ray RLlib (a port of Salimans et al.'s code). None is tuned for style yet.
DEFAULT_OUTER_LR = {"reptile": 0.1, "fomaml": 1e-3, "maml": 1e-3, "es": 1e-2}


@dataclass(frozen=True)
class MetaTrainConfig:
    """Meta-training setting. ``outer_lr`` None takes :data:`DEFAULT_OUTER_LR` of the algorithm.

    inner_lr: Adam step size of ``adapt`` (for ``maml``: the plain SGD step size instead).
    eval_steps, eval_lr: steps and Adam step size of the held-out evaluation (None: ``inner_steps``,
    ``inner_lr``); a fixed eval_lr lets runs with different inner loops (maml's SGD) compare.
    width, depth: the transform network built when no initial network is given.
    """

    algorithm: str = "reptile"
    iterations: int = 1000
    meta_batch: int = 4
    inner_steps: int = 10
    inner_lr: float = 1e-3
    outer_lr: float | None = None
    anneal: bool = False  # outer step size decays linearly to 0 over the run (Nichol et al. 2018, sec. 6)
    size: int = 256
    params: str = "all"
    seed: int = 0
    eval_every: int = 50
    eval_steps: int | None = None
    eval_lr: float | None = None  # Adam step size of the held-out evaluation (None: inner_lr)
    checkpoint_every: int = 10
    frames_per_task: int = 4
    query_per_task: int = 2
    grade_prob: float = 0.3
    es_pairs: int = 8
    es_sigma: float = 0.02
    warmup: int = 0  # reconstruction warm-up steps before meta-training (filmstyle.training.pretrain)
    width: int = 16  # with depth, end_kernel, decoder: = filmstyle.nets.transformer.FILMSTYLE_NET (tests/test_config.py)
    depth: int = 5
    end_kernel: int = 9
    decoder: tuple[int, int] | None = None
    # what the inner loop's and the query's loss see, as AdaptConfig.tone: "none" (the network's raw
    # output; every init so far) or "grade" (each task's colour grade toward its style plus the
    # network's detail above detail_sigma, as `adapt` and `render` use the network by default)
    tone: str = "none"
    detail_sigma: float = DETAIL_SIGMA
    loss: LossConfig = field(default_factory=LossConfig)

    def __post_init__(self) -> None:
        _one_of("tone", self.tone, ADAPT_TONES)
        _positive(detail_sigma=self.detail_sigma)
        if self.algorithm not in OUTER_LOOPS:
            raise InputError(None, f"algorithm must be one of {', '.join(OUTER_LOOPS)}, got {self.algorithm!r}")
        if self.params not in ("all", "norm"):
            raise InputError(None, f"params must be 'all' or 'norm', got {self.params!r}")
        counts = {k: getattr(self, k) for k in ("iterations", "meta_batch", "inner_steps", "size", "eval_every",
                                                 "checkpoint_every", "frames_per_task", "query_per_task", "es_pairs")}
        if any(v < 1 for v in counts.values()) or not self.inner_lr > 0 or not self.es_sigma > 0:
            raise InputError(None, f"counts, inner_lr and es_sigma must be positive: {counts}, inner_lr={self.inner_lr}")
        if self.width < 1 or self.depth < 0 or self.warmup < 0 or (self.outer_lr is not None and not self.outer_lr > 0):
            raise InputError(None, f"--width must be at least 1, --depth and --warmup at least 0 and --outer-lr positive; "
                             f"got {self.width}, {self.depth}, {self.warmup}, {self.outer_lr}")
        if self.decoder is not None:
            object.__setattr__(self, "decoder", tuple(self.decoder))
        if self.outer_lr is None:
            object.__setattr__(self, "outer_lr", DEFAULT_OUTER_LR[self.algorithm])
        if self.eval_steps is None:
            object.__setattr__(self, "eval_steps", self.inner_steps)

    def net_config(self) -> dict[str, Any]:
        """The transform network's keyword arguments, as its ``config`` holds them (defaults left out)."""
        out: dict[str, Any] = {"width": self.width, "depth": self.depth}
        if self.end_kernel != 9:
            out["end_kernel"] = self.end_kernel
        if self.decoder is not None:
            out["decoder"] = list(self.decoder)
        return out

    def inner(self, seed: int, steps: int | None = None) -> AdaptConfig:
        """The inner loop's config for a task seeded with ``seed`` (its loss sees the network's raw output)."""
        return AdaptConfig(steps=steps or self.inner_steps, lr=self.inner_lr, size=self.size, seed=seed,
                           params=self.params, frames=self.frames_per_task, tone="none", loss=self.loss)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# clip -> (render size (W, H), kind); the paper's sec. 4.1 uses one animated and one live-action clip
TABLE1_CLIPS: dict[str, tuple[tuple[int, int], str]] = {
    "bigbuckbunny.mp4": ((640, 360), "animated"),
    "bikes.mp4": ((640, 272), "live action"),
}
# film stills held out of meta-training (filmstyle.training.tasks.HOLDOUT_STYLES) and never used to choose a default
TABLE1_STILLS = ("film_stills/sintel_f0016.png", "film_stills/chaplin_f0120.png", "film_stills/bbb_f0446.png")
TABLE1_SEEDS = (0, 1)  # adaptation seeds of the methods that have one (Gatys and the peer are deterministic)
# every method's network runs in torch (StyleBank, Gatys and the peer have no other backend): the
# table compares methods, not runtimes
TABLE1_BACKEND = "torch"
FULL_FRAMES = 32  # frames per clip for every method (issue 13)
QUICK_FRAMES = 3  # 2 frame pairs per clip


@dataclass(frozen=True)
class BenchConfig(Executing):
    """What ``filmstyle bench table1`` runs. data: the folder holding videos/, styles/, content/ (default
    :func:`~filmstyle.core.assets.shared_data`); stills: relative to DATA/styles; seeds: of the methods'
    adaptation, one run per (still, seed) and the table their mean; frames: None = FULL_FRAMES
    (QUICK_FRAMES with quick); flow: of the e_stab measurement (DeepFlow, as the paper); check_flow: a
    second flow whose e_stab is reported beside it (the same as ``flow``: none), since where one
    flow's masks keep what they should drop (bikes' shot cut, with DeepFlow) its e_stab measures more
    than flicker (docs/results/table1.md); cuts: the shot cuts whose frame pairs e_stab leaves out
    ("auto": detected on the source, as the render does; "none"; or a cuts file);
    cache: where the
    pre-trained StyleBank is kept (None: ~/.cache/filmstyle); fresh: re-run every finished cell;
    executor, jobs, address: where the cells that are not finished run, as :class:`Segmenting`'s
    (cells run side by side share the machine: their FPS is then measured under contention, and the
    report says so)."""

    data: Path = field(default_factory=shared_data)
    out: Path = Path("bench-table1")
    stills: tuple[str, ...] = TABLE1_STILLS
    seeds: tuple[int, ...] = TABLE1_SEEDS
    quick: bool = False
    frames: int | None = None
    methods: tuple[str, ...] = METHODS
    flow: str = "deepflow"
    check_flow: str = "dis"
    cuts: str = "auto"
    cache: Path | None = None
    fresh: bool = False
    clips: Mapping[str, tuple[tuple[int, int], str]] = field(default_factory=lambda: dict(TABLE1_CLIPS))

    @property
    def n_frames(self) -> int:
        return self.frames or (QUICK_FRAMES if self.quick else FULL_FRAMES)


@dataclass(frozen=True)
class UIConfig:
    """What ``filmstyle ui`` serves (:mod:`filmstyle.ui`). host, port: where (127.0.0.1: this machine
    only; 0.0.0.0 for others to reach it); max_upload_mb: the largest file accepted, per file;
    preview_frames: frames of the clip the before/after view offers (spread from first to last);
    preview_side: the longer side of those frames in px; preview_seconds: the short preview render;
    preview_every: seconds between updates of the before/after while a look adapts; jobs: long jobs
    (adapt, render, LUT) running at a time for all users together (one per session), the others wait
    in the queue; previews: previews (a frame, a still or clip taken) drawn at a time, apart from the jobs;
    session_hours: the copies of uploads and downloads the page keeps are deleted this long after they
    were made (a session's own folder goes when its tab has been closed for an hour, or the server stops)."""

    host: str = "127.0.0.1"
    port: int = 7860
    max_upload_mb: int = 4096
    preview_frames: int = 3
    preview_side: int = 640
    preview_seconds: float = 3.0
    preview_every: float = 2.0
    jobs: int = 2
    previews: int = 4
    session_hours: float = 6.0

    def __post_init__(self) -> None:
        _positive(max_upload_mb=self.max_upload_mb, preview_frames=self.preview_frames, preview_side=self.preview_side,
                  preview_seconds=self.preview_seconds, preview_every=self.preview_every, jobs=self.jobs,
                  previews=self.previews,
                  session_hours=self.session_hours)
        if not 0 < self.port < 65536:
            raise InputError(None, f"--port must be 1 to 65535, got {self.port}")
