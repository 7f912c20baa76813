#!/bin/sh
# confirmation on Table 1's clips with held-out stills (never used to choose): --network-every 1 vs 3
cd "$(dirname "$0")/../.."
for n in 1 3; do
  extra=""; [ "$n" != 1 ] && extra="--network-every $n"
  .venv/bin/python benchmarks/look_default.py -o runs/look_default --tones grade --clips bikes.mp4 bigbuckbunny.mp4 \
    --stills film_stills/sintel_f0016.png film_stills/bbb_f0446.png \
    --render "$extra" --render-tag "_ne$n" > runs/network_every/table1_clips_ne$n.txt 2>&1
done
