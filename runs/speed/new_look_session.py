"""Time a session of a look never seen before (the demo look with its weights perturbed); CACHE_DIR: the ONNX cache folder."""
import time, torch, sys, tempfile
from pathlib import Path
t0 = time.perf_counter()
import filmstyle.nets.onnx as o
from filmstyle.look import load_look
look = load_look('filmstyle/assets/demo.look')
cache = Path(sys.argv[1])
with torch.no_grad():
    for p in look.net.parameters(): p.add_(torch.randn_like(p) * 1e-3)   # a new look: weights never seen
t = time.perf_counter(); s = o.OnnxNet.from_net(look.net, cache=cache); print(f"session of a new look's net: {time.perf_counter()-t:.2f} s (templates on disk: {len(list(cache.glob('*.onnx')))})")
