#!/bin/sh
# the lean network with its third residual block dropped (16x2k3d16-8; runs/meta_r3/init_16x2_pruned.look, no
# further meta-training) at today's render defaults, on the 6 development pairs of dev_ne3 and dev_lean3
cd "$(dirname "$0")/../.."
.venv/bin/python benchmarks/look_default.py -o runs/look_default --tones grade \
  --stills film_stills/sintel_f0043.png paintings/starry_night.jpg \
  --adapt "--init runs/meta_r3/init_16x2_pruned.look" --tag _lean2p \
  --render "" --render-tag _lean2p > runs/network_every/dev_lean2p.txt 2>&1
