import numpy as np, onnxruntime as ort, time, sys
from onnxruntime.quantization import quantize_static, CalibrationDataReader, QuantType, QuantFormat
from onnxruntime.quantization.shape_inference import quant_pre_process
from filmstyle.core import video
frames = [f for f in video.sample_frames('filmstyle/assets/demo_clip.mp4', 8)]
import cv2
def prep(f): 
    f = cv2.resize(f, (640, 360), interpolation=cv2.INTER_AREA)
    return (f.astype(np.float32)/255).transpose(2,0,1)[None]
data = [prep(f) for f in frames]
class R(CalibrationDataReader):
    def __init__(s): s.it = iter(data[:6])
    def get_next(s):
        x = next(s.it, None); return None if x is None else {'image': x}
quant_pre_process('/tmp/demo.onnx', '/tmp/demo_pre.onnx', skip_symbolic_shape=True)
for fmt, name in [(QuantFormat.QDQ, 'qdq')]:
    quantize_static('/tmp/demo_pre.onnx', f'/tmp/demo_{name}.onnx', R(), quant_format=fmt,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=True)
so = ort.SessionOptions(); so.intra_op_num_threads = 2
sess = {k: ort.InferenceSession(p, so, providers=['CPUExecutionProvider']) for k, p in [('fp32','/tmp/demo.onnx'),('int8','/tmp/demo_qdq.onnx')]}
x = data[7]
outs = {}
for k, s in sess.items():
    for _ in range(2): outs[k] = s.run(None, {'image': x})[0]
t = {k: [] for k in sess}
for _ in range(8):
    for k, s in sess.items():
        a = time.perf_counter(); s.run(None, {'image': x}); t[k].append(time.perf_counter()-a)
for k in t: print(k, 'ms', round(1000*np.median(t[k]),1))
d = np.abs(outs['fp32']-outs['int8'])*255
print('int8 vs fp32 levels: mean', d.mean(), 'p99', np.percentile(d,99), 'max', d.max(), outs['fp32'].shape, outs['fp32'].min(), outs['fp32'].max())
