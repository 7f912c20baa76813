#!/bin/sh
# confirmation on Table 1's clips with held-out stills (never used to choose): no detail limit vs --detail-limit 2
cd "$(dirname "$0")/../.."
for k in 0 2; do
  extra="--detail-limit $k"; [ "$k" = 0 ] && extra=""
  .venv/bin/python benchmarks/look_default.py -o runs/look_default --tones grade --clips bikes.mp4 bigbuckbunny.mp4 \
    --stills film_stills/sintel_f0016.png film_stills/bbb_f0446.png \
    --render "$extra" --render-tag "_t1dl$k" > runs/network_every/table1_clips_dl$k.txt 2>&1
done
