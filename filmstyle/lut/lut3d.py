"""The 3D LUT: a lattice of output colours, its trilinear lookup, strength blending and its files.

Convention (as colour-science's ``LUT3D``): ``table[i, j, k]`` is the RGB output for the input
``(r, g, b) = (i, j, k) / (N - 1)``, float32 in [0, 1] on an N x N x N lattice over the unit cube.

Trilinear lookup follows FFmpeg's ``lut3d`` filter (libavfilter/vf_lut3d.c, ``interp_trilinear``):
the input is clipped to [0, 1] and scaled by N - 1, the lower lattice index is its floor, the
upper one that plus one clipped to N - 1, and the eight corners are blended with the fractional
parts. For 8-bit frames FFmpeg then *truncates* ``out * 255`` to an integer; filmstyle rounds,
so the two differ by at most 1/255 (measured in tests/test_lut.py).

Files: ``.cube`` per the Adobe Cube LUT Specification 1.0 (red index changing fastest) and the
DaVinci Resolve .cube variant, both read and written with colour-science; Hald CLUT images
(level L: an L^3 x L^3 image holding an L^2-point lattice, red fastest, then green, then blue,
in raster order; the layout FFmpeg's ``haldclut`` filter reads) as 16-bit PNG with OpenCV.
"""
from __future__ import annotations

import math
import os
import warnings
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from filmstyle.core.colour import BT709_LUMA
from filmstyle.core.config import LUT_FORMATS
from filmstyle.core.errors import InputError, check_readable_file
from filmstyle.core.files import atomic_path

FORMATS = LUT_FORMATS  # cube (Adobe 1.0), resolve (DaVinci), hald (Hald CLUT image)
_LUMA = np.array(BT709_LUMA, dtype=np.float32)
_CUBE_HINT = "give a .cube file (Adobe/Resolve) or a Hald CLUT .png, e.g. one written by `filmstyle lut`"


def lattice(size: int) -> np.ndarray:
    """The inputs of an N-point lattice: (N, N, N, 3) float32, ``[i, j, k] = (i, j, k) / (N - 1)``."""
    if size < 2:
        raise ValueError(f"a LUT needs at least 2 points per axis, got {size}")
    axis = np.linspace(0.0, 1.0, size, dtype=np.float32)
    return np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), -1)


@dataclass(frozen=True, eq=False)
class LUT3D:
    """A 3D colour lookup table. ``table``: (N, N, N, 3) float32 indexed [r, g, b] (module docstring)."""

    table: np.ndarray
    title: str = "filmstyle"

    def __post_init__(self) -> None:
        t = np.asarray(self.table, dtype=np.float32)
        if t.ndim != 4 or t.shape[3] != 3 or not t.shape[0] == t.shape[1] == t.shape[2] or t.shape[0] < 2:
            raise ValueError(f"LUT table must be (N, N, N, 3) with N >= 2, got {t.shape}")
        if not np.isfinite(t).all():
            raise ValueError("LUT table holds NaN or infinite values")
        object.__setattr__(self, "table", t)

    @property
    def size(self) -> int:
        """N, the number of lattice points per axis."""
        return self.table.shape[0]

    @classmethod
    def identity(cls, size: int = 33, title: str = "identity") -> LUT3D:
        """The LUT that changes nothing."""
        return cls(lattice(size), title)

    @classmethod
    def from_function(cls, fn, size: int = 33, title: str = "filmstyle") -> LUT3D:  # noqa: ANN001
        """Sample ``fn`` ((M, 3) float RGB in [0, 1] -> (M, 3)) on the lattice; outputs clipped to [0, 1]."""
        grid = lattice(size).reshape(-1, 3)
        return cls(np.clip(np.asarray(fn(grid), dtype=np.float32), 0, 1).reshape(size, size, size, 3), title)

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        """Trilinear lookup of float RGB: (..., 3) in [0, 1] (clipped) -> (..., 3) float32."""
        return trilinear(self.table, rgb)

    def apply_uint8(self, rgb: np.ndarray) -> np.ndarray:
        """Trilinear lookup of 8-bit RGB: (..., 3) uint8 -> (..., 3) uint8, rounded to nearest."""
        if rgb.dtype != np.uint8 or rgb.shape[-1] != 3:
            raise ValueError(f"expected (..., 3) uint8, got {rgb.shape} {rgb.dtype}")
        return to_uint8(self.apply(rgb.astype(np.float32) / 255.0))

    def blend(self, strength: float) -> LUT3D:
        """``identity + strength * (self - identity)``: 0 = no change, 1 = this LUT (blend in LUT space)."""
        if not 0.0 <= strength <= 1.0:
            raise ValueError(f"strength must be in [0, 1], got {strength}")
        if strength == 1.0:  # exactly this LUT: a neutral (black-and-white) table stays exactly neutral
            return self
        ident = lattice(self.size)
        return LUT3D(ident + np.float32(strength) * (self.table - ident), self.title)

    def neutral(self) -> LUT3D:
        """Every output replaced by its BT.709 luma on all three channels: exactly R = G = B."""
        y = np.clip(self.table @ _LUMA, 0, 1)
        return LUT3D(np.repeat(y[..., None], 3, axis=-1), self.title)

    def is_neutral(self) -> bool:
        """Whether every output is grey (R = G = B): a black-and-white look."""
        t = self.table
        return bool((t[..., 0] == t[..., 1]).all() and (t[..., 1] == t[..., 2]).all())

    def resample(self, size: int) -> LUT3D:
        """The same mapping on an N = ``size`` lattice (trilinear)."""
        return self if size == self.size else LUT3D(self.apply(lattice(size)), self.title)


def to_uint8(rgb: np.ndarray) -> np.ndarray:
    """Float RGB (any range, clipped to [0, 1]) -> uint8, rounded to nearest."""
    return np.rint(np.clip(rgb, 0.0, 1.0) * 255.0).astype(np.uint8)


def _corners(x: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper lattice index and fraction along one axis, as FFmpeg's lut3d (``x`` in [0, 1])."""
    s = np.clip(x, 0.0, 1.0) * (n - 1)
    lo = np.minimum(np.floor(s).astype(np.intp), n - 1)
    return lo, np.minimum(lo + 1, n - 1), (s - lo).astype(np.float32)


def trilinear(table: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """Trilinear lookup in ``table`` (N, N, N, 3): rgb (..., 3) float in [0, 1] -> (..., 3) float32."""
    n = table.shape[0]
    shape = np.shape(rgb)
    flat = np.asarray(rgb, dtype=np.float32).reshape(-1, 3)
    (r0, r1, dr), (g0, g1, dg), (b0, b1, db) = (_corners(flat[:, c], n) for c in range(3))
    dr, dg, db = dr[:, None], dg[:, None], db[:, None]
    t = table
    c00 = t[r0, g0, b0] + (t[r1, g0, b0] - t[r0, g0, b0]) * dr
    c10 = t[r0, g1, b0] + (t[r1, g1, b0] - t[r0, g1, b0]) * dr
    c01 = t[r0, g0, b1] + (t[r1, g0, b1] - t[r0, g0, b1]) * dr
    c11 = t[r0, g1, b1] + (t[r1, g1, b1] - t[r0, g1, b1]) * dr
    c0 = c00 + (c10 - c00) * dg
    c1 = c01 + (c11 - c01) * dg
    return (c0 + (c1 - c0) * db).reshape(shape)


# --- the 8-bit table for video: every 24-bit colour looked up once ---------------------------------

def packed_table(lut: LUT3D, *, pool: Executor | None = None) -> np.ndarray:
    """All 2^24 8-bit colours through ``lut``: (2^24,) little-endian uint32, for :func:`apply_packed`.

    Entry ``r | g << 8 | b << 16`` holds the output as the bytes (r', g', b', 0). Trilinear lookup on
    the full 256^3 grid is a tensor product of 1-D linear interpolations, so it is computed one
    axis at a time (one blue plane at a time, 256 x 256 x 3 floats), about half a second on one
    core; with ``pool`` the two halves of the blue axis are done in parallel.
    """
    t, n = lut.table, lut.size
    lo, hi, d = _corners(np.arange(256, dtype=np.float32) / 255.0, n)
    out = np.empty((256, 256, 256, 4), dtype=np.uint8)  # [b, g, r, byte]
    out[..., 3] = 0
    # Along red and green first for every blue lattice plane: (N_b, 256 g, 256 r, 3).
    along_r = t[lo] + (t[hi] - t[lo]) * d[:, None, None, None]                    # (256r, Ng, Nb, 3)
    along_g = along_r[:, lo] + (along_r[:, hi] - along_r[:, lo]) * d[None, :, None, None]  # (256r, 256g, Nb, 3)
    planes = np.ascontiguousarray(along_g.transpose(2, 1, 0, 3))                  # (Nb, 256g, 256r, 3)

    def blue(first: int, last: int) -> None:
        for b in range(first, last):
            out[b, ..., :3] = to_uint8(planes[lo[b]] + (planes[hi[b]] - planes[lo[b]]) * d[b])

    if pool is None:
        blue(0, 256)
    else:
        list(pool.map(lambda ab: blue(*ab), ((0, 128), (128, 256))))
    return out.reshape(-1, 4).view("<u4").reshape(-1)


def _indices(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 -> (H*W,) uint32 table indices ``r | g << 8 | b << 16``.

    Read straight from the RGB bytes: a little-endian uint32 view with a stride of 3 bytes holds
    ``r | g << 8 | b << 16 | (next r) << 24``, and the top byte is masked off.
    """
    flat = np.ascontiguousarray(rgb).reshape(-1)
    n = flat.size // 3
    idx = np.empty(n, dtype="<u4")
    if n > 1:  # the last pixel's 4-byte read would pass the end of the buffer: done on its own
        words = np.ndarray(shape=(n - 1,), dtype="<u4", buffer=flat, strides=(3,))
        np.bitwise_and(words, 0xFFFFFF, out=idx[:-1])
    idx[-1] = int(flat[-3]) | int(flat[-2]) << 8 | int(flat[-1]) << 16
    return idx


def apply_packed(table: np.ndarray, rgb: np.ndarray, *, rgbx: bool = False, pool: Executor | None = None) -> np.ndarray:
    """Look up (H, W, 3) uint8 RGB in a :func:`packed_table`.

    Returns (H, W, 3) uint8 (a strided view), or with ``rgbx`` the contiguous (H, W, 4) RGB plus a
    zero byte that the lookup produces anyway. With ``pool``, two halves of the rows are looked up
    in parallel (numpy releases the GIL in the mask and the gather).
    """
    h, w = rgb.shape[:2]
    out = np.empty((h, w), dtype="<u4")

    def rows(a: int, b: int) -> None:
        np.take(table, _indices(rgb[a:b]), out=out[a:b].reshape(-1))

    if pool is None or h < 2:
        rows(0, h)
    else:
        list(pool.map(lambda ab: rows(*ab), ((0, h // 2), (h // 2, h))))
    quad = out.view(np.uint8).reshape(h, w, 4)
    return quad if rgbx else quad[..., :3]


# --- files ----------------------------------------------------------------------------------------

def _colour():  # noqa: ANN202 - the colour module
    """colour-science, imported on first use without its warning about the optional SciPy."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import colour

    return colour


def format_of(path: str | os.PathLike, fmt: str | None = None) -> str:
    """The LUT file format: ``fmt`` if given, else from the suffix (.cube -> cube, .png/.tif -> hald)."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise InputError(path, f"unknown LUT format {fmt!r}", f"use one of: {', '.join(FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix == ".cube":
        return "cube"
    if suffix in (".png", ".tif", ".tiff"):
        return "hald"
    raise InputError(path, f"unknown LUT file type {suffix or '(no suffix)'!r}", _CUBE_HINT)


def write_lut(lut: LUT3D, path: str | os.PathLike, fmt: str | None = None) -> Path:
    """Write ``lut`` to ``path`` atomically as ``fmt`` ("cube": Adobe 1.0, "resolve", "hald" PNG).

    A Hald CLUT holds L^2 points per axis, so the LUT is resampled to the nearest such size.
    """
    fmt = format_of(path, fmt)
    target = Path(path)
    if fmt == "hald" and target.suffix.lower() != ".png":
        raise InputError(target, "a Hald CLUT is written as PNG", "end the output name in .png")
    if fmt != "hald" and target.suffix.lower() != ".cube":
        raise InputError(target, f"a {fmt} LUT is a .cube file", "end the output name in .cube")
    with atomic_path(target) as tmp:
        if fmt == "hald":
            _write_hald(lut, tmp)
        else:
            colour = _colour()
            table = colour.LUT3D(table=np.clip(lut.table, 0, 1).astype(np.float64), name=lut.title)
            writer = colour.io.write_LUT_IridasCube if fmt == "cube" else colour.io.write_LUT_ResolveCube
            writer(table, str(tmp))
    return target


def _read_plain_cube(p: Path) -> LUT3D | None:
    """A plain 3-D .cube file (Adobe Cube LUT Specification 1.0: TITLE, LUT_3D_SIZE, an optional
    unit DOMAIN, N^3 rows with red changing fastest), read without colour-science (which takes over
    a second to import); None for anything else (a 1-D or shaper LUT, Resolve ranges, other
    domains), which colour-science reads. InputError for a malformed plain file."""
    title, size, rows = p.stem, None, []
    try:
        for line in p.read_text().splitlines():
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            key = words[0].upper()
            if key == "TITLE":
                title = line.split(None, 1)[1].strip().strip('"') if len(words) > 1 else title
            elif key == "LUT_3D_SIZE":
                size = int(words[1])
            elif key == "DOMAIN_MIN" and [float(w) for w in words[1:]] == [0, 0, 0]:
                continue
            elif key == "DOMAIN_MAX" and [float(w) for w in words[1:]] == [1, 1, 1]:
                continue
            elif key[0].isdigit() or key[0] in "+-.":
                rows.append([float(w) for w in words])
            else:
                return None  # LUT_1D_SIZE, LUT_3D_INPUT_RANGE, another domain...: colour-science's
    except (ValueError, IndexError, UnicodeDecodeError) as e:
        raise InputError(p, f"not a readable .cube LUT ({type(e).__name__}: {e})", _CUBE_HINT) from None
    if size is None:
        return None
    if size < 2 or len(rows) != size ** 3 or any(len(r) != 3 for r in rows):
        raise InputError(p, f"not a readable .cube LUT (LUT_3D_SIZE {size} needs {size ** 3} rows of 3 values, "
                         f"found {len(rows)})", _CUBE_HINT)
    table = np.asarray(rows, dtype=np.float32).reshape(size, size, size, 3).transpose(2, 1, 0, 3)  # red fastest
    return LUT3D(np.ascontiguousarray(table), title)


def read_lut(path: str | os.PathLike) -> LUT3D:
    """Read a .cube (Adobe or Resolve; a 1-D or shaper LUT is sampled onto a 33-point lattice) or a
    Hald CLUT image. InputError for a missing, corrupt or unsupported file."""
    p = check_readable_file(path, "LUT file")
    if format_of(p) == "hald":
        return _read_hald(p)
    native = _read_plain_cube(p)
    if native is not None:
        return native
    colour = _colour()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            read = colour.io.read_LUT(str(p))
        title = str(getattr(read, "name", "") or p.stem)
        if isinstance(read, colour.LUT3D) and np.allclose(read.domain, [[0, 0, 0], [1, 1, 1]]):
            return LUT3D(np.asarray(read.table, dtype=np.float32), title)
        grid = lattice(33).reshape(-1, 3).astype(np.float64)
        return LUT3D(np.asarray(read.apply(grid), dtype=np.float32).reshape(33, 33, 33, 3), title)
    except (ValueError, TypeError, IndexError, KeyError, NameError, AssertionError, AttributeError,
            UnicodeDecodeError, OSError) as e:
        raise InputError(p, f"not a readable .cube LUT ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})",
                         _CUBE_HINT) from None


def hald_level(size: int) -> int:
    """The Hald level L whose lattice (L^2 points) is nearest to ``size`` points, at least 2."""
    return max(2, round(math.sqrt(size)))


def _write_hald(lut: LUT3D, path: Path) -> None:
    import cv2

    level = hald_level(lut.size)
    n = level * level
    table = lut.resample(n).table  # [r, g, b]
    # Raster order with red fastest: pixel index r + g*n + b*n^2, i.e. the [b, g, r] C-order layout.
    pixels = table.transpose(2, 1, 0, 3).reshape(level ** 3, level ** 3, 3)
    img16 = np.rint(np.clip(pixels, 0, 1) * 65535).astype(np.uint16)
    if not cv2.imwrite(str(path), np.ascontiguousarray(img16[..., ::-1]), [cv2.IMWRITE_PNG_COMPRESSION, 3]):
        raise InputError(path, "could not write the Hald CLUT PNG", "check the output folder")


def _hald_image_level(shape: tuple[int, ...]) -> int | None:
    """The Hald level L of an image of ``shape`` (H, W, ...): square with an L^3 side, L >= 2; else None."""
    side = shape[0]
    level = round(side ** (1 / 3))
    return level if shape[1] == side and level >= 2 and level ** 3 == side else None


def looks_like_hald(path: str | os.PathLike, *, min_r2: float = 0.8) -> bool:
    """Whether the image at ``path`` is a Hald CLUT rather than a picture: square with an L^3 side
    (L >= 2), and each output channel explained by an affine function of the lattice's input colours
    with R^2 above ``min_r2`` (a grade, even a black-and-white one, keeps its output mostly affine in
    its input; a photo of that size does not follow the lattice's ramps). False for anything unreadable."""
    import cv2

    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None or img.ndim != 3 or img.shape[2] < 3:
        return False
    level = _hald_image_level(img.shape)
    if level is None:
        return False
    n = level * level
    identity = lattice(n).transpose(2, 1, 0, 3).reshape(-1, 3)  # as _write_hald lays it out
    x = np.concatenate([identity, np.ones((len(identity), 1))], axis=1).astype(np.float64)
    y = img[..., 2::-1].reshape(-1, 3).astype(np.float64)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    residual = ((y - x @ coef) ** 2).sum(0)
    spread = ((y - y.mean(0)) ** 2).sum(0)
    if not (spread > 0).all() or (1 - residual / spread < min_r2).any():
        return False
    # ... and every input channel moves some output: a picture with a smooth vertical gradient fits the
    # slowest (blue) ramp of the layout alone; red is the fastest, a sawtooth no picture follows.
    return bool((np.abs(coef[:3]).max(axis=1) > 0.05 * float(y.max() - y.min())).all())


def _read_hald(path: Path) -> LUT3D:
    import cv2

    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None or img.ndim != 3 or img.shape[2] < 3:
        raise InputError(path, "not a readable Hald CLUT image (need an RGB PNG or TIFF)", _CUBE_HINT)
    level = _hald_image_level(img.shape)
    if level is None:
        raise InputError(path, f"a {img.shape[1]}x{img.shape[0]} image is not a Hald CLUT (its side must be L^3)",
                         _CUBE_HINT)
    scale = 65535.0 if img.dtype == np.uint16 else 255.0
    rgb = img[..., 2::-1].astype(np.float32) / np.float32(scale)
    n = level * level
    return LUT3D(rgb.reshape(n, n, n, 3).transpose(2, 1, 0, 3), path.stem)
