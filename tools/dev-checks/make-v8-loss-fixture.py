"""DEV-ONLY generator of test/fixtures/trainer/v8-loss-reference.npz: reference values from ultralytics' own
v8DetectionLoss and TaskAlignedAssigner, which trainer/tests/test_loss_assigner.py checks ours against.

The committed fixture was produced with ultralytics 8.4.190 (torch 2.15.0, CPU, float32). ultralytics is AGPL
and never a product, test or CI dependency: it only runs here, from a separate development venv, e.g.
    python3 -m venv /work/devvenv && /work/devvenv/bin/pip install ultralytics==8.4.190   (+ torch from PyPI)
    /work/devvenv/bin/python tools/dev-checks/make-v8-loss-fixture.py [OUT.npz]
Rerunning it rewrites the same numbers (seeded). The tests read only the .npz, never this script. Same approach as compare-v8-loss.py (identical raw
head outputs and targets fed to both losses), on a case small enough to store: 64 px input, strides 8/16/32
(8×8 + 4×4 + 2×2 = 84 anchors), nc 3.

Cases:
  loss_*   v8DetectionLoss (gains 7.5/0.5/1.5, topk 10, min side = the second stride, 16), reg_max 16, on 3
           images: two overlapping boxes (anchors claimed by both), a 3.2×2.6 px box (its candidate anchors come
           from the 16 px floor), a large box, one more image with two boxes and one image without boxes. Box
           logits lean to the low bins (sides of a few cells), so CIoU > 0 for many anchors; the anchors
           around the tiny box predict it.
           Stored: per-level raw outputs, targets, total (× batch), the three gained terms, and the gradients
           of the total w.r.t. every raw output.
  loss4_*  the same with reg_max 4 (sides of at most 3 cells): targets beyond the distribution's range, where
           the target-distance and DFL clamps decide the box and DFL terms.
  tal_*    TaskAlignedAssigner (topk 4, alpha 0.5, beta 6, min side 16) on fixed predicted scores and boxes
           near the anchors, 2 images, one ground-truth row of padding; image 0's anchors near its 3×3 px box
           predict about it. Stored: inputs, target boxes, target scores and the foreground mask.
"""

from __future__ import annotations

import json
import os
import sys
from types import SimpleNamespace

import numpy as np
import torch
import ultralytics
from torch import nn
from ultralytics.utils.loss import v8DetectionLoss
from ultralytics.utils.tal import TaskAlignedAssigner, make_anchors

IMGSZ = 64
STRIDES = [8.0, 16.0, 32.0]
NC, REG_MAX = 3, 16
OUT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "trainer",
                                    "v8-loss-reference.npz"))


def _model(reg_max: int) -> nn.Module:
    """A stand-in for DetectionModel: v8DetectionLoss reads only args, model[-1] (stride, nc, reg_max) and a
    parameter's device."""
    model = nn.Module()
    model.anchor = nn.Parameter(torch.zeros(1))
    model.args = SimpleNamespace(box=7.5, cls=0.5, dfl=1.5)
    model.model = [SimpleNamespace(stride=torch.tensor(STRIDES), nc=NC, reg_max=reg_max)]
    return model


def level_shapes() -> list[tuple[int, int]]:
    return [(IMGSZ // int(s), IMGSZ // int(s)) for s in STRIDES]


def aim_at_tiny_box(box: list[torch.Tensor], reg_max: int, image: int, xywh: torch.Tensor,
                    floor: float = 16.0) -> None:
    """Anchors inside the floor-widened box predict the box itself (each side's logits peaked at its distance,
    ≥ 0 since a predicted box contains its anchor): CIoU > 0, so the box gets positives, all through the floor
    (no anchor centre lies inside the box itself)."""
    half, wide = xywh[2:] / 2, xywh[2:].clamp(min=floor) / 2
    x1, y1, x2, y2 = (xywh[:2] - half).tolist() + (xywh[:2] + half).tolist()
    wx1, wy1, wx2, wy2 = (xywh[:2] - wide).tolist() + (xywh[:2] + wide).tolist()
    bins = torch.arange(reg_max, dtype=torch.float32)
    for t, s in zip(box, STRIDES):
        for r in range(t.shape[2]):
            for c in range(t.shape[3]):
                x, y = (c + 0.5) * s, (r + 0.5) * s
                if wx1 < x < wx2 and wy1 < y < wy2:
                    d = torch.tensor([x - x1, y - y1, x2 - x, y2 - y]).div(s).clamp(0, reg_max - 1)
                    t[image, :, r, c] = (-4.0 * (bins.view(1, -1) - d.view(-1, 1)) ** 2).flatten()


def loss_case(prefix: str, reg_max: int, gen: torch.Generator) -> dict[str, np.ndarray]:
    bsz = 3
    # Box logits leaning to the low bins: predicted sides of 1-3 cells, boxes of the targets' size, so that the
    # alignment metric (score^0.5 · CIoU^6, CIoU clamped at 0) is positive for many anchors, the tiny box's too.
    lean = -0.4 * torch.arange(reg_max, dtype=torch.float32).repeat(4).view(1, -1, 1, 1)
    box = [(torch.randn(bsz, 4 * reg_max, h, w, generator=gen) * 1.5 + lean) for h, w in level_shapes()]
    cls = [(torch.randn(bsz, NC, h, w, generator=gen) - 2.0) for h, w in level_shapes()]
    # [image, class, cx, cy, w, h], normalised, grouped by image (the collated order both losses expect)
    targets = torch.tensor([
        [0, 0, 0.40, 0.45, 0.50, 0.40],
        [0, 1, 0.55, 0.50, 0.45, 0.50],  # overlaps the first: anchors claimed by both
        [0, 2, 0.80, 0.15, 0.05, 0.04],  # 3.2 × 2.6 px: widened to the 16 px floor for candidate anchors
        [1, 1, 0.30, 0.70, 0.30, 0.35],
        [1, 0, 0.50, 0.50, 0.95, 0.90],  # spans the image: many candidates, top-k matters
    ], dtype=torch.float32)  # image 2: no boxes

    aim_at_tiny_box(box, reg_max, image=0, xywh=targets[2, 2:6] * IMGSZ)
    box = [t.requires_grad_(True) for t in box]
    cls = [t.requires_grad_(True) for t in cls]
    preds = {
        "boxes": torch.cat([t.reshape(bsz, 4 * reg_max, -1) for t in box], 2),
        "scores": torch.cat([t.reshape(bsz, NC, -1) for t in cls], 2),
        "feats": box,  # only their shapes are read (anchors, image size)
    }
    batch = {"batch_idx": targets[:, 0], "cls": targets[:, 1:2], "bboxes": targets[:, 2:6]}
    crit = v8DetectionLoss(_model(reg_max))
    total, items = crit(preds, batch)
    total = total.sum()
    total.backward()
    items_vec = torch.stack([v if torch.is_tensor(v) else torch.tensor(v) for v in
                             (items.values() if isinstance(items, dict) else items)]).float()
    out = {f"{prefix}_reg_max": np.array(reg_max), f"{prefix}_targets": targets.numpy(),
           f"{prefix}_total": total.detach().numpy(), f"{prefix}_items": items_vec.numpy()}
    for i, (b, c) in enumerate(zip(box, cls)):
        out[f"{prefix}_box_{i}"] = b.detach().numpy()
        out[f"{prefix}_cls_{i}"] = c.detach().numpy()
        out[f"{prefix}_grad_box_{i}"] = b.grad.numpy()
        out[f"{prefix}_grad_cls_{i}"] = c.grad.numpy()
    return out


def assigner_case(gen: torch.Generator) -> dict[str, np.ndarray]:
    bsz, topk = 2, 4
    feats = [torch.zeros(1, 1, h, w) for h, w in level_shapes()]
    points, stride_t = make_anchors(feats, torch.tensor(STRIDES), 0.5)
    anchors = points * stride_t  # pixels
    a = anchors.shape[0]
    centre = anchors.unsqueeze(0) + (torch.rand(bsz, a, 2, generator=gen) - 0.5) * 8
    wh = torch.rand(bsz, a, 2, generator=gen) * 34 + 6
    boxes = torch.cat((centre - wh / 2, centre + wh / 2), -1)
    # image 0's anchors near the 3×3 px box predict about it (CIoU > 0): its positives come only from the floor
    near = (anchors - torch.tensor([51.5, 7.5])).abs().amax(-1) < 12
    jitter = (torch.rand(int(near.sum()), 4, generator=gen) - 0.5) * 2
    boxes[0, near] = torch.tensor([49.0, 5.0, 54.0, 10.0]) + jitter
    scores = torch.rand(bsz, a, NC, generator=gen)
    gt_boxes = torch.tensor([
        [[8.0, 10.0, 36.0, 40.0], [20.0, 16.0, 52.0, 44.0], [50.0, 6.0, 53.0, 9.0]],
        [[4.0, 30.0, 60.0, 62.0], [0.0, 0.0, 0.0, 0.0], [30.0, 2.0, 44.0, 20.0]],  # a padding row
    ])
    gt_labels = torch.tensor([[[0.0], [1.0], [2.0]], [[2.0], [0.0], [1.0]]])
    gt_mask = (gt_boxes.sum(-1, keepdim=True) > 0).float()
    tal = TaskAlignedAssigner(topk=topk, num_classes=NC, alpha=0.5, beta=6.0, stride=STRIDES)
    _, t_boxes, t_scores, fg, _ = tal(scores, boxes, anchors, gt_labels, gt_boxes, gt_mask)
    return {"tal_scores": scores.numpy(), "tal_boxes": boxes.numpy(), "tal_anchors": anchors.numpy(),
            "tal_gt_labels": gt_labels.numpy(), "tal_gt_boxes": gt_boxes.numpy(), "tal_gt_mask": gt_mask.numpy(),
            "tal_topk": np.array(topk), "tal_min_side": np.array(float(tal.stride_val)),
            "tal_target_boxes": t_boxes.numpy(), "tal_target_scores": t_scores.float().numpy(),
            "tal_fg": fg.numpy()}


def main() -> None:
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(27)
    data = {**loss_case("loss", REG_MAX, gen), **loss_case("loss4", 4, gen), **assigner_case(gen)}
    meta = {"ultralytics": ultralytics.__version__, "torch": torch.__version__.split("+")[0], "imgsz": IMGSZ,
            "strides": STRIDES, "nc": NC, "reg_max": REG_MAX, "gains": [7.5, 0.5, 1.5], "loss_topk": 10,
            "generator": "tools/dev-checks/make-v8-loss-fixture.py"}
    data["meta"] = np.array(json.dumps(meta))
    out = sys.argv[1] if len(sys.argv) > 1 else OUT
    np.savez_compressed(out, **data)
    fg = data["tal_fg"]
    print(json.dumps({"wrote": out, "bytes": os.path.getsize(out), **meta,
                      **{f"{p}_items": data[f"{p}_items"].tolist() for p in ("loss", "loss4")},
                      "tal_foreground_anchors": int(fg.sum()),
                      "loss_box_gradient_nonzero": int(sum((data[f"loss_grad_box_{i}"] != 0).sum()
                                                           for i in range(3)))}))


if __name__ == "__main__":
    main()
