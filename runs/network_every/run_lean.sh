#!/bin/sh
# the lean network 16x3k3d16-8 (its own Reptile init, runs/meta_r2) at today's render defaults (--network-every 3,
# planar full-size stage), on the 6 development pairs of dev_ne1b/dev_ne3 (the shipped 16x5 at the same defaults)
cd "$(dirname "$0")/../.."
.venv/bin/python benchmarks/look_default.py -o runs/look_default --tones grade \
  --stills film_stills/sintel_f0043.png paintings/starry_night.jpg \
  --adapt "--init runs/meta_r2/init_16x3k3d16-8.look" --tag _lean \
  --render "" --render-tag _lean3 > runs/network_every/dev_lean3.txt 2>&1
