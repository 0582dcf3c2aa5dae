"""YOLOv8 detection loss: task-aligned assignment, BCE classification, CIoU box loss and distribution
focal loss (DFL), with gains box 7.5 / cls 0.5 / dfl 1.5. Like ultralytics, the returned total is the
gain-weighted sum multiplied by the batch size (the per-image loss scale its learning rates are tuned for)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .assigner import TaskAlignedAssigner
from .boxes import anchors_for, ciou, ltrb_to_xyxy, xywh_to_xyxy, xyxy_to_ltrb

Tensor = torch.Tensor


@dataclass
class DetectionLossConfig:
    box: float = 7.5
    cls: float = 0.5
    dfl: float = 1.5
    topk: int = 10
    alpha: float = 0.5
    beta: float = 6.0
    min_side: float | None = None  # None: the second stride, as current ultralytics does


def flatten_head(box: list[Tensor], cls: list[Tensor]) -> tuple[Tensor, Tensor]:
    """Per-level raw branch outputs -> (B, A, 4*reg_max) distributions and (B, A, nc) logits."""
    b = box[0].shape[0]
    dist = torch.cat([t.reshape(b, t.shape[1], -1) for t in box], 2).permute(0, 2, 1).contiguous()
    logits = torch.cat([t.reshape(b, t.shape[1], -1) for t in cls], 2).permute(0, 2, 1).contiguous()
    return dist, logits


class DetectionLoss:
    def __init__(self, nc: int, reg_max: int, strides: list[float], cfg: DetectionLossConfig | None = None):
        self.cfg = cfg or DetectionLossConfig()
        self.nc, self.reg_max, self.strides = nc, reg_max, strides
        min_side = self.cfg.min_side if self.cfg.min_side is not None else (strides[1] if len(strides) > 1 else strides[0])
        self.assigner = TaskAlignedAssigner(nc, self.cfg.topk, self.cfg.alpha, self.cfg.beta, min_side)

    def __call__(self, box: list[Tensor], cls: list[Tensor], targets: Tensor, imgsz: tuple[int, int]
                 ) -> tuple[Tensor, Tensor]:
        """box/cls: per-level raw outputs; targets (N, 6) rows [image index, class, cx, cy, w, h] normalised
        to the (h, w) input. Returns (total × batch size, detached [box, cls, dfl])."""
        dist, logits = flatten_head(box, cls)
        dtype, device = logits.dtype, logits.device
        bsz = logits.shape[0]
        anchors, stride_t = anchors_for([tuple(t.shape[2:]) for t in box], self.strides, dtype, device)

        gt = self._pad_targets(targets.to(device), bsz, imgsz)
        gt_labels, gt_boxes = gt[..., :1], gt[..., 1:5]
        gt_mask = gt_boxes.sum(2, keepdim=True) > 0

        proj = torch.arange(self.reg_max, dtype=dist.dtype, device=device)
        pred_ltrb = dist.view(bsz, -1, 4, self.reg_max).softmax(3).matmul(proj)
        pred_boxes = ltrb_to_xyxy(pred_ltrb, anchors)  # grid units

        t_boxes, t_scores, fg = self.assigner(
            logits.detach().sigmoid(),
            (pred_boxes.detach() * stride_t).to(gt_boxes.dtype),
            anchors * stride_t,
            gt_labels,
            gt_boxes,
            gt_mask,
        )
        score_sum = t_scores.sum().clamp(min=1)
        loss_cls = F.binary_cross_entropy_with_logits(logits, t_scores.to(dtype), reduction="none").sum() / score_sum

        t_boxes = t_boxes / stride_t
        idx = fg.nonzero(as_tuple=True)
        weight = t_scores[idx].sum(-1, keepdim=True)
        loss_box = ((1.0 - ciou(pred_boxes[idx], t_boxes[idx])) * weight).sum() / score_sum
        t_ltrb = xyxy_to_ltrb(anchors, t_boxes, self.reg_max - 1)
        loss_dfl = (self._dfl(dist[idx].view(-1, self.reg_max), t_ltrb[idx]) * weight).sum() / score_sum
        parts = torch.stack((loss_box * self.cfg.box, loss_cls * self.cfg.cls, loss_dfl * self.cfg.dfl))
        return parts.sum() * bsz, parts.detach()

    def _dfl(self, pred: Tensor, target: Tensor) -> Tensor:
        target = target.clamp(0, self.reg_max - 1 - 0.01)
        left = target.long()
        w_left = left + 1 - target
        logp = F.log_softmax(pred, dim=1)
        lp_l = logp.gather(1, left.view(-1, 1)).view(left.shape)
        lp_r = logp.gather(1, (left + 1).view(-1, 1)).view(left.shape)
        return -(lp_l * w_left + lp_r * (1 - w_left)).mean(-1, keepdim=True)

    @staticmethod
    def _pad_targets(targets: Tensor, bsz: int, imgsz: tuple[int, int]) -> Tensor:
        """(N, 6) -> (B, M, 5) [class, x1, y1, x2, y2] in pixels, zero rows as padding."""
        if targets.shape[0] == 0:
            return torch.zeros(bsz, 0, 5, device=targets.device)
        img = targets[:, 0].long()
        counts = torch.bincount(img, minlength=bsz)
        out = torch.zeros(bsz, int(counts.max()), 5, device=targets.device)
        starts = torch.cumsum(counts, 0) - counts
        order = torch.argsort(img, stable=True)
        img_sorted = img[order]
        within = torch.arange(len(img), device=targets.device) - starts[img_sorted]
        rows = targets[order, 1:]
        h, w = imgsz
        scale = torch.tensor([w, h, w, h], dtype=rows.dtype, device=rows.device)
        out[img_sorted, within] = torch.cat((rows[:, :1], xywh_to_xyxy(rows[:, 1:5] * scale)), 1)
        return out
