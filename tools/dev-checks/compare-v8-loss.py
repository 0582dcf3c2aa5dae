"""DEV-ONLY check: our YOLOv8 detection loss against ultralytics' v8DetectionLoss on identical inputs.

ultralytics is AGPL and never a product or CI dependency; run this with a separate development venv:
    /tmp/devref/venv/bin/python tools/dev-checks/compare-v8-loss.py
It builds yolov8 (random init, offline), runs a forward pass in training mode, feeds the same raw head
outputs and targets to both losses, and prints the per-term and gradient differences as one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
from types import SimpleNamespace

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "trainer"))
from stageprune_trainer.loss_detect import DetectionLoss  # noqa: E402
from ultralytics.nn.tasks import DetectionModel  # noqa: E402
from ultralytics.utils.loss import v8DetectionLoss  # noqa: E402


def targets_for(batch: int, gen: torch.Generator) -> torch.Tensor:
    rows = []
    for i in range(batch):
        n = 0 if i == batch - 1 else int(torch.randint(1, 12, (1,), generator=gen))  # last image: no boxes
        for _ in range(n):
            cx, cy = torch.rand(2, generator=gen).tolist()
            w, h = (torch.rand(2, generator=gen) * 0.4 + 0.01).tolist()
            rows.append([i, int(torch.randint(0, 3, (1,), generator=gen)), cx, cy, w, h])
    rows.append([0, 1, 0.5, 0.5, 0.004, 0.003])  # a tiny box (below the 16 px floor)
    t = torch.tensor(rows, dtype=torch.float32)
    return t[torch.argsort(t[:, 0], stable=True)]  # collated order: ultralytics expects rows grouped by image


def main() -> None:
    torch.manual_seed(0)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(1)
    report = []
    for scale, imgsz, batch in (("n", 320, 4), ("n", 640, 2)):
        model = DetectionModel("yolov8n.yaml", nc=3, verbose=False)
        model.args = SimpleNamespace(box=7.5, cls=0.5, dfl=1.5)
        model.train()
        x = torch.rand(batch, 3, imgsz, imgsz, generator=gen)
        preds = model(x)
        feats = preds["feats"]
        sizes = [f.shape[2] * f.shape[3] for f in feats]
        boxes = preds["boxes"].detach().requires_grad_(True)
        scores = preds["scores"].detach().requires_grad_(True)
        t = targets_for(batch, gen)
        batch_d = {"batch_idx": t[:, 0], "cls": t[:, 1:2], "bboxes": t[:, 2:6]}
        ul = v8DetectionLoss(model)
        ul_total, ul_items = ul({"boxes": boxes, "scores": scores, "feats": feats}, batch_d)
        ul_total.sum().backward()

        b2 = boxes.detach().clone().requires_grad_(True)
        s2 = scores.detach().clone().requires_grad_(True)
        per_box = [c.reshape(batch, -1, f.shape[2], f.shape[3]) for c, f in zip(b2.split(sizes, 2), feats)]
        per_cls = [c.reshape(batch, -1, f.shape[2], f.shape[3]) for c, f in zip(s2.split(sizes, 2), feats)]
        ours = DetectionLoss(nc=3, reg_max=16, strides=model.stride.tolist())
        our_total, our_items = ours(per_box, per_cls, t, (imgsz, imgsz))
        our_total.backward()
        ul_vec = torch.stack([v if torch.is_tensor(v) else torch.tensor(v) for v in (ul_items.values() if isinstance(ul_items, dict) else ul_items)]).float()
        report.append({
            "imgsz": imgsz,
            "batch": batch,
            "targets": int(t.shape[0]),
            "ultralytics": [round(float(v), 6) for v in ul_vec],
            "ours": [round(float(v), 6) for v in our_items],
            "max_abs_diff_terms": float((ul_vec - our_items).abs().max()),
            "abs_diff_total": float((ul_total.sum() - our_total).detach().abs()),
            "max_abs_diff_grad_boxes": float((boxes.grad - b2.grad).abs().max()),
            "max_abs_diff_grad_scores": float((scores.grad - s2.grad).abs().max()),
        })
    print(json.dumps({"check": "v8-detection-loss-parity", "results": report}))


if __name__ == "__main__":
    main()
