"""Reference COCO bbox evaluation with pycocotools, for parity tests and the metric-speed benchmark.

usage: python pycocotools-eval.py GT.json DT.json
prints one JSON line: {"stats": [12], "per_class_ap": [...], "per_class_ap50": [...], "seconds": t}
where seconds covers evaluate() + accumulate() + summarize() (not JSON loading).
"""
import contextlib, io, json, sys, time

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

gt_path, dt_path = sys.argv[1], sys.argv[2]
with contextlib.redirect_stdout(io.StringIO()):
    gt = COCO(gt_path)
    with open(dt_path) as f:
        dets = json.load(f)
    dt = gt.loadRes(dets) if dets else COCO()
    t0 = time.perf_counter()
    ev = COCOeval(gt, dt, "bbox")
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    seconds = time.perf_counter() - t0

def per_class(t=None):
    out = []
    for k in range(len(ev.params.catIds)):
        p = ev.eval["precision"][:, :, k, 0, -1]
        if t is not None:
            p = p[t]
        v = p[p > -1]
        out.append(float(np.mean(v)) if v.size else None)
    return out

print(json.dumps({"stats": [float(s) for s in ev.stats], "per_class_ap": per_class(), "per_class_ap50": per_class(0), "seconds": seconds}))
