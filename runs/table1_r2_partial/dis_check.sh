cd /work/main
for clip in bikes bigbuckbunny; do for still in sintel_f0016 chaplin_f0120; do for s in 0 1; do for m in meta stylebank johnson; do
r=runs/table1_r2/renders/$clip-$m-$still-s$s.mp4
line=$(nice .venv/bin/python -m filmstyle -q eval /work/shared/data/videos/$clip.mp4 $r --flow dis --max-frames 32 --json 2>/dev/null | .venv/bin/python -c "import json,sys; d=json.load(sys.stdin); print(d['e_stab'], d['floor'], d['ratio'])")
echo "$clip $still s$s $m $line"
done; done; done; done
