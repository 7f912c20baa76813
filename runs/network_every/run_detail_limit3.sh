#!/bin/sh
# render --detail-limit 3 on the same 6 development pairs (after run_detail_limit.sh: K = 2, 1)
cd "$(dirname "$0")/../.."
while pgrep -f "run_detail_limit.sh" > /dev/null; do sleep 10; done
.venv/bin/python benchmarks/look_default.py -o runs/look_default --tones grade \
  --stills film_stills/sintel_f0043.png paintings/starry_night.jpg \
  --render "--detail-limit 3" --render-tag "_dl3" > runs/network_every/dev_dl3.txt 2>&1
