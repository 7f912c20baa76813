#!/bin/bash
# Runs ON the lent GPU machine (device tool), from the repository root, with .gpu/ carried (built by
# runs/gpu/prepare.sh). One call, one part:
#   bash .gpu/on_device.sh train    # CUDA smoke test, then three meta-training runs side by side on the GPU
#   bash .gpu/on_device.sh render   # tests/test_cuda.py, then render --device cuda at 1080p and 4K (issue 14)
# Everything comes back as one file, $OUT/gpu_PART.tar (the device returns at most 8 files).
# TRAIN_SECONDS (default 400): each run's --stop-after; the three runs share the GPU.
# A dry run here, on the CPU: PY=.venv/bin/python DEVICE=cpu TRAIN_SECONDS=5 TRAIN_ARGS="--size 64 --meta-batch 1
#   --inner-steps 1 --eval-every 1000" OUT=/tmp/gpuout bash .gpu/on_device.sh train
set -u
PY=${PY:-python3}; export DEVICE=${DEVICE:-cuda}
part=${1:?train or render}
work=/tmp/gpuwork; mkdir -p $work
pack() { tar -C $work -cf "$OUT/gpu_$part.tar" . ; ls -la $work; }
trap pack EXIT
export PYTHONUNBUFFERED=1 PYTHONPATH=/tmp/site:$PWD
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee $work/gpu.txt
if [ "$part" = train ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .gpu/whl_train/*.whl || exit 1
  export PYTHONPATH=/tmp/site:$PWD/.gpu/stub:$PWD   # .gpu/stub: a stand-in for PyAV (no clip is decoded)
  $PY -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU')" | tee -a $work/gpu.txt
  # smoke test: one tiny iteration on the GPU; a failure here costs seconds, not the budget
  $PY -m filmstyle -q meta-train -o /tmp/smoke.look --device $DEVICE --iterations 1 --inner-steps 1 --meta-batch 1 \
      --size 64 --width 2 --depth 1 --styles .gpu/data/styles --content .gpu/data/content -y > $work/smoke.txt 2>&1 \
      || { echo "smoke test failed:"; cat $work/smoke.txt; exit 1; }
  cp .gpu/state/* $work/ 2>/dev/null   # checkpoints of earlier GPU calls: --resume goes on from them
  common=(--device $DEVICE --algorithm reptile --iterations 4000 --inner-steps 10 --meta-batch 4 --size 256 --outer-lr 1.0
          --anneal --eval-every 100 --styles .gpu/data/styles --content .gpu/data/content --resume -y
          --stop-after "${TRAIN_SECONDS:-400}" ${TRAIN_ARGS:-})
  $PY -m filmstyle -q meta-train -o $work/gpu_16x5.look --init filmstyle/assets/init.look "${common[@]}" \
      > $work/log_16x5.txt 2>&1 &
  $PY -m filmstyle -q meta-train -o $work/gpu_16x5_grade.look --init filmstyle/assets/init.look --tone grade \
      "${common[@]}" > $work/log_16x5_grade.txt 2>&1 &
  $PY -m filmstyle -q meta-train -o $work/gpu_fast.look --init filmstyle/assets/init_fast.look "${common[@]}" \
      > $work/log_fast.txt 2>&1 &
  wait
  tail -n 2 $work/log_*.txt
elif [ "$part" = render ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .gpu/whl_render/*.whl || exit 1
  $PY -m pytest -q -p no:cacheprovider -rs tests/test_cuda.py tests/test_device.py 2>&1 | tail -n 15 | tee $work/pytest.txt
  $PY - <<'PY' 2>&1 | tee $work/render.txt
import os, subprocess, sys, time
from filmstyle.core import video
from filmstyle.core.assets import DEMO_CLIP, DEMO_LOOK
for w, h in ((1920, 1080), (3840, 2160)):
    src = f"/tmp/clip_{w}.mp4"
    video.transcode(DEMO_CLIP, src, lambda f: f, size=(w, h), max_frames=int(os.environ.get("FRAMES", 96)), preset="ultrafast", crf=10)
    for extra in ([], ["--network-every", "1"]):
        cmd = [sys.executable, "-m", "filmstyle", "-q", "render", src, "-o", f"/tmp/out_{w}.mp4", "-l", str(DEMO_LOOK),
               "--device", os.environ.get("DEVICE", "cuda"), "-y", *extra]
        t = time.perf_counter(); done = subprocess.run(cmd, capture_output=True, text=True)
        print(f"{w}x{h} {' '.join(extra) or 'defaults'}: {time.perf_counter() - t:.1f} s whole command; "
              f"{done.stdout.strip()} {done.stderr.strip()[-300:]}", flush=True)
PY
fi
