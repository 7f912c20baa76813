#!/bin/bash
# alternate two variants of the grade command, each the first run after the Table 1 workers ran 20 s
B=$(pgrep -f "filmstyle bench table1" | head -1)
W=$(ps -o pid= --ppid $B | tr '\n' ' ')
trap "kill -CONT $W 2>/dev/null" EXIT
cd /work/main
for round in 1 2 3; do
  for v in advice cli; do
    kill -CONT $W; sleep 20; kill -STOP $W; sleep 3
    if [ $v = cli ]; then unset NUMPY_MADVISE_HUGEPAGE; else export NUMPY_MADVISE_HUGEPAGE=1; fi
    /usr/bin/time -f "$v wall %e s CPU %P" .venv/bin/python -m filmstyle -q grade ${CLIP:-/tmp/bbb1080.mp4} --still filmstyle/assets/demo_still.png -o /tmp/g.mp4 -y 2>&1 | grep wall
  done
done
