import onnxruntime as ort, numpy as np, json, collections, time, sys
path = sys.argv[1]
so = ort.SessionOptions(); so.intra_op_num_threads = 2; so.enable_profiling = True
so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
s = ort.InferenceSession(path, so, providers=['CPUExecutionProvider'])
name = s.get_inputs()[0].name
print([ (i.name, i.shape) for i in s.get_inputs()])
x = np.random.rand(1,3,360,640).astype(np.float32)
for _ in range(3): s.run(None, {name: x})
t = time.perf_counter()
for _ in range(10): s.run(None, {name: x})
print('ms/frame', (time.perf_counter()-t)*100)
prof = s.end_profiling()
ev = json.load(open(prof))
c = collections.Counter(); n = collections.Counter()
for e in ev:
    if e.get('cat') == 'Node' and e['name'].endswith('_kernel_time'):
        c[e['args']['op_name']] += e['dur']; n[e['args']['op_name']] += 1
tot = sum(c.values())
for k, v in c.most_common(): print(f'{k:24s} {v/13/1000:7.2f} ms/frame {100*v/tot:5.1f}%')
