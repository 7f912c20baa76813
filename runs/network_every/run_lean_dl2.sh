#!/bin/sh
# the lean network (adapt --init meta-fast) at today's render defaults, the detail limit included (K=2), on the
# 6 development pairs of dev_lean3.txt (the same looks, rendered before the limit)
cd "$(dirname "$0")/../.."
.venv/bin/python benchmarks/look_default.py -o runs/look_default --tones grade \
  --stills film_stills/sintel_f0043.png paintings/starry_night.jpg \
  --adapt "--init runs/meta_r2/init_16x3k3d16-8.look" --tag _lean \
  --render "" --render-tag _lean3dl2 > runs/network_every/dev_lean3_dl2.txt 2>&1
