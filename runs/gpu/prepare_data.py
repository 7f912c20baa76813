"""Copy the meta-training data for a GPU run into a small folder that travels to the device machine.

Styles and content photos keep their folder layout and file names (the held-out split of
filmstyle.training.tasks goes by them), shrunk to a short side of SIDE px and saved as JPEG. The
frames meta-train would take from the training clips (``--videos``: 8 frames spread over each clip
that is not held out) are saved into the content folder as ``clip__NAME__fK.jpg``, so the device
needs no video decoder. Held-out clips are left out (their frames only served the held-out evaluation).

    python runs/gpu/prepare_data.py ../shared/data .gpu/data
"""
from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

from filmstyle.core import video
from filmstyle.core.picture import IMAGE_SUFFIXES
from filmstyle.training.tasks import HOLDOUT_CLIPS

SIDE = 256  # meta-train --size of the GPU run
FRAMES_PER_CLIP = 8  # run_meta_training's frames_per_clip


def shrink(img: Image.Image) -> Image.Image:
    scale = SIDE / min(img.size)
    if scale >= 1:
        return img
    return img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)


def main() -> None:
    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    count = 0
    for kind in ("styles", "content"):
        for src in sorted((data / kind).rglob("*")):
            if src.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            dst = out / kind / src.relative_to(data / kind)
            dst.parent.mkdir(parents=True, exist_ok=True)
            with Image.open(src) as im:
                shrink(im.convert("RGB")).save(dst if dst.suffix.lower() in (".jpg", ".jpeg", ".png") else
                                               dst.with_suffix(".png"), quality=92)
            count += 1
    for clip in sorted((data / "videos").glob("*.mp4")):
        if clip.name in HOLDOUT_CLIPS:
            continue
        for k, frame in enumerate(video.sample_frames(clip, FRAMES_PER_CLIP)):
            shrink(Image.fromarray(frame)).save(out / "content" / f"clip__{clip.stem}__f{k}.jpg", quality=92)
            count += 1
    print(f"{count} images in {out}")


if __name__ == "__main__":
    main()
