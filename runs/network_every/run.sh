#!/bin/sh
# render --network-every 1/2/3 on 6 development pairs (tone grade, the default), 48 frames at 640 px (eval: DIS)
cd "$(dirname "$0")/../.."
for n in 1 2 3; do
  tag="_ne1"; extra=""
  if [ "$n" != 1 ]; then tag="_ne$n"; extra="--network-every $n"; fi
  .venv/bin/python benchmarks/look_default.py -o runs/look_default --tones grade \
    --stills film_stills/sintel_f0043.png paintings/starry_night.jpg \
    --render "$extra" --render-tag "$tag" > runs/network_every/dev_ne$n.txt 2>&1
done
