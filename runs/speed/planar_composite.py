"""The full-size composite of a 1080p frame (grade + scaled-up network detail + conversion for the encoder) through RGB vs in the 4:2:0 planes, timed in isolation (eighth session)."""
import numpy as np, cv2, time
from concurrent.futures import ThreadPoolExecutor
from filmstyle.lut.lut3d import LUT3D, packed_table, apply_packed
from filmstyle.lut.yuv import yuv_tables, apply_yuv420
pool = ThreadPoolExecutor(2)
lut = LUT3D.from_function(lambda x: x**1.1, 33)
table = packed_table(lut, pool=pool)
yt = yuv_tables(table, 0.2126, 0.0722, full_range=False, pool=pool)
rng = np.random.default_rng(0)
rgb = cv2.resize(rng.integers(0,255,(90,160,3),dtype=np.uint8), (1920,1080))
planes = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
corr = rng.normal(0, 10, (360, 640, 3)).astype(np.float32)
def rgb_path():
    g = apply_packed(table, rgb, pool=pool).astype(np.float32)
    up = cv2.resize(corr, (1920,1080), interpolation=cv2.INTER_LINEAR)
    done = cv2.add(g, up, dtype=cv2.CV_8U)
    return cv2.cvtColor(done, cv2.COLOR_RGB2YUV_I420)
M = np.array([[0.2126,0.7152,0.0722],[-0.1146,-0.3854,0.5],[0.5,-0.4542,-0.0458]], np.float32) * np.array([[219/255],[224/255],[224/255]], np.float32)
def planar_path():
    g = apply_yuv420(yt, planes, pool=pool)
    d = corr @ M.T  # (360,640,3) deltas in code values
    dy = cv2.resize(np.ascontiguousarray(d[...,0]), (1920,1080), interpolation=cv2.INTER_LINEAR)
    dc = cv2.resize(np.ascontiguousarray(d[...,1:]), (960,540), interpolation=cv2.INTER_LINEAR)
    out = np.empty_like(g)
    out[:1080] = cv2.add(g[:1080], dy, dtype=cv2.CV_8U)
    cb = g[1080:].reshape(-1)[:960*540].reshape(540,960); cr = g[1080:].reshape(-1)[960*540:].reshape(540,960)
    o = out[1080:].reshape(-1)
    o[:960*540] = cv2.add(cb, np.ascontiguousarray(dc[...,0]), dtype=cv2.CV_8U).reshape(-1)
    o[960*540:] = cv2.add(cr, np.ascontiguousarray(dc[...,1]), dtype=cv2.CV_8U).reshape(-1)
    return out
for f in (rgb_path, planar_path): f()
for f in (rgb_path, planar_path, rgb_path, planar_path):
    t = time.perf_counter(); c0 = time.process_time()
    for _ in range(20): f()
    print(f.__name__, f'{(time.perf_counter()-t)/20*1000:.1f} ms wall, {(time.process_time()-c0)/20*1000:.1f} ms CPU')
