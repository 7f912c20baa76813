"""Peak memory and time of ``filmstyle stylize`` on large photos (issue 15: bounded memory).

Makes the photos in a temporary folder from a shared content photo (bicubic upscale plus a little
noise, so they carry detail and compress as photos do): 12 MP (4000x3000 JPEG), 48 MP (8000x6000
JPEG) and a huge sparse PNG (16000x11000 = 176 MP, mostly one grey: a small file that decodes to a
large picture; the most filmstyle reads). Each runs as the whole command in a fresh process, with
``--detail source`` (the default) and ``--detail network``; the peak resident memory is the child's
own (``os.wait4``), the time the command's wall clock, start-up included. Goals: a 12 MP photo under
2 GB, any size under 4 GB (round 1: 6.3 GB for 12 MP, 24 GB for 8000x6000).

    python benchmarks/still_memory.py
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from _common import SHARED, machine, require_shared  # noqa: E402
from PIL import Image  # noqa: E402

from filmstyle.core.assets import DEMO_LOOK  # noqa: E402

GOAL_12MP_GB, GOAL_ANY_GB = 2.0, 4.0


def make_photos(folder: Path, content: Path) -> list[tuple[str, Path]]:
    import cv2

    src = np.asarray(Image.open(content).convert("RGB"))
    rng = np.random.default_rng(0)
    photos = []
    for (w, h), name in (((4000, 3000), "photo_12mp.jpg"), ((8000, 6000), "photo_48mp.jpg")):
        big = cv2.resize(src, (w, h), interpolation=cv2.INTER_CUBIC).astype(np.int16)
        big += rng.integers(-6, 7, big.shape, dtype=np.int16)
        Image.fromarray(np.clip(big, 0, 255).astype(np.uint8)).save(folder / name, quality=92)
        photos.append((f"{w}x{h} JPEG", folder / name))
    sparse = np.full((11000, 16000, 3), 90, np.uint8)
    sparse[1000:3000, 1000:5000] = (200, 120, 40)
    Image.fromarray(sparse).save(folder / "sparse_176mp.png", compress_level=1)
    photos.append(("16000x11000 sparse PNG", folder / "sparse_176mp.png"))
    return photos


def run(photo: Path, out: Path, detail: str) -> tuple[float, float, int]:
    """(peak resident GB of the command's process, wall seconds, exit status)."""
    argv = [sys.executable, "-m", "filmstyle", "-q", "stylize", str(photo), "-l", str(DEMO_LOOK), "-o", str(out),
            "-y", "--detail", detail]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=False)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode().strip()
    proc.stderr.close()
    if err:
        print(f"    ({photo.name}, {detail}) {err}")
    return usage.ru_maxrss / 1024 ** 2, seconds, os.waitstatus_to_exitcode(status)


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    require_shared()
    content = sorted((SHARED / "content").glob("*.jpg"))[0]
    print(machine())
    print(f"photos made from {content.name}; look {DEMO_LOOK.name}; the whole stylize command, start-up included")
    print(f"{'photo':<24} {'detail':<8} {'peak GB':>8} {'seconds':>8}  goal")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # made in a child process: Linux carries a process's peak memory over fork and exec, so a parent
        # that held the photos would pass its own peak to every command measured after
        code = (f"import sys; sys.path[:0] = {sys.path[:2]!r}; from still_memory import make_photos; "
                f"from pathlib import Path; make_photos(Path({str(folder)!r}), Path({str(content)!r}))")
        subprocess.run([sys.executable, "-c", code], check=True)
        photos = [("4000x3000 JPEG", folder / "photo_12mp.jpg"), ("8000x6000 JPEG", folder / "photo_48mp.jpg"),
                  ("16000x11000 sparse PNG", folder / "sparse_176mp.png")]
        for label, photo in photos:
            for detail in ("source", "network"):
                gb, seconds, code = run(photo, folder / f"out_{photo.stem}.png", detail)
                goal = GOAL_12MP_GB if "12mp" in photo.name else GOAL_ANY_GB
                verdict = "met" if code == 0 and gb < goal else ("FAILED" if code else "NOT met")
                print(f"{label:<24} {detail:<8} {gb:8.2f} {seconds:8.1f}  < {goal:g} GB: {verdict}")


if __name__ == "__main__":
    main()
