"""DEV-ONLY (ultralytics is AGPL: never a product or CI dependency).

Runs ultralytics' validation NMS (non_max_suppression, conf 0.001, IoU 0.7, multi_label, max_det 300) on raw
detector outputs written by nms-vs-ultralytics.ts: <dir>/<i>.bin float32 [1, C, N] with <dir>/shape.json.
Writes <dir>/<i>.json: [[x1, y1, x2, y2, score, cls], ...] in ultralytics' output order.
"""
import json, sys
from pathlib import Path

import numpy as np
import torch
import torchvision  # noqa: F401  (imported, ultralytics uses torchvision.ops.nms instead of its Python NMS)
from ultralytics.utils.nms import non_max_suppression

d = Path(sys.argv[1])
c, n, count = json.loads((d / "shape.json").read_text())
for i in range(count):
    out = torch.from_numpy(np.fromfile(d / f"{i}.bin", dtype=np.float32).reshape(1, c, n))
    det = non_max_suppression(out, 0.001, 0.7, multi_label=True, max_det=300)[0]
    (d / f"{i}.json").write_text(json.dumps(det[:, :6].tolist()))
