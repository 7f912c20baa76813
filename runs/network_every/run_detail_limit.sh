#!/bin/sh
# render --detail-limit K (the network's detail held to K times the footage's own nearby) on the 6 development
# pairs of dev_ne3.txt (same looks, same render otherwise): K = 2 and 1
cd "$(dirname "$0")/../.."
for k in 2 1; do
  .venv/bin/python benchmarks/look_default.py -o runs/look_default --tones grade \
    --stills film_stills/sintel_f0043.png paintings/starry_night.jpg \
    --render "--detail-limit $k" --render-tag "_dl$k" > runs/network_every/dev_dl$k.txt 2>&1
done
