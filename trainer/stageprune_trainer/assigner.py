"""Task-aligned assigner (TOOD, Feng et al. 2021) as YOLOv8 uses it: per ground truth, candidate
anchors are those whose centre lies inside the box; the alignment metric is score^alpha * CIoU^beta;
the top-k candidates are positives; an anchor claimed by several boxes goes to the one it overlaps most;
soft class targets are the alignment metric normalised per box to its best IoU."""

from __future__ import annotations

import torch

from .boxes import ciou, xywh_to_xyxy, xyxy_to_xywh

Tensor = torch.Tensor


class TaskAlignedAssigner:
    def __init__(self, nc: int, topk: int = 10, alpha: float = 0.5, beta: float = 6.0, min_side: float = 0.0,
                 eps: float = 1e-9):
        """`min_side`: ground-truth sides shorter than this (pixels) are widened about their centre when
        choosing candidate anchors (current ultralytics uses the second stride, 16; classic YOLOv8 0)."""
        self.nc, self.topk, self.alpha, self.beta, self.min_side, self.eps = nc, topk, alpha, beta, min_side, eps

    @torch.no_grad()
    def __call__(self, scores: Tensor, boxes: Tensor, anchors: Tensor, gt_labels: Tensor, gt_boxes: Tensor,
                 gt_mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """scores (B, A, C) sigmoid, boxes (B, A, 4) xyxy px, anchors (A, 2) px, gt_labels (B, M, 1),
        gt_boxes (B, M, 4) xyxy px, gt_mask (B, M, 1). Returns target boxes (B, A, 4), target scores
        (B, A, C) and the foreground mask (B, A)."""
        b, a, c = scores.shape
        m = gt_boxes.shape[1]
        if m == 0:
            return torch.zeros_like(boxes), torch.zeros_like(scores), torch.zeros(b, a, dtype=torch.bool,
                                                                                   device=scores.device)
        inside = self._inside(anchors, gt_boxes, gt_mask)  # (B, M, A)
        valid = inside & gt_mask.bool()
        bi, gi, ai = valid.nonzero(as_tuple=True)
        overlaps = torch.zeros(b, m, a, dtype=boxes.dtype, device=boxes.device)
        metric = torch.zeros(b, m, a, dtype=scores.dtype, device=scores.device)
        iou = ciou(gt_boxes[bi, gi], boxes[bi, ai]).squeeze(-1).clamp(0)
        cls = gt_labels[bi, gi, 0].long()
        overlaps[bi, gi, ai] = iou
        metric[bi, gi, ai] = scores[bi, ai, cls].pow(self.alpha) * iou.pow(self.beta)

        # top-k per ground truth (padding rows pick index 0 and are masked out below)
        top_idx = metric.topk(self.topk, dim=-1).indices
        top_idx = top_idx.masked_fill(~gt_mask.bool().expand(-1, -1, self.topk), 0)
        count = torch.zeros(b, m, a, dtype=torch.int8, device=scores.device)
        count.scatter_add_(-1, top_idx, torch.ones_like(top_idx, dtype=torch.int8))
        pos = (count == 1) & inside & gt_mask.bool()

        # an anchor claimed by several boxes keeps the box it overlaps most
        multi = pos.sum(1, keepdim=True) > 1
        best = torch.zeros_like(pos)
        best.scatter_(1, overlaps.argmax(1, keepdim=True), True)
        pos = torch.where(multi.expand_as(pos), best, pos)
        fg, gt_idx = pos.to(torch.int8).max(1)  # (B, A)
        fg = fg.bool()

        flat = gt_idx + torch.arange(b, device=scores.device)[:, None] * m
        labels = gt_labels.long().flatten()[flat].clamp(0)
        t_boxes = gt_boxes.view(-1, 4)[flat]
        t_scores = torch.zeros(b, a, self.nc, dtype=scores.dtype, device=scores.device)
        t_scores.scatter_(2, labels.unsqueeze(-1), 1.0)
        t_scores = t_scores * fg.unsqueeze(-1)

        metric = metric * pos
        norm = metric * overlaps.mul(pos).amax(-1, keepdim=True) / (metric.amax(-1, keepdim=True) + self.eps)
        t_scores = t_scores * norm.amax(1).unsqueeze(-1)
        return t_boxes, t_scores, fg

    def _inside(self, anchors: Tensor, gt_boxes: Tensor, gt_mask: Tensor) -> Tensor:
        boxes = gt_boxes
        if self.min_side > 0:
            xywh = xyxy_to_xywh(gt_boxes)
            small = (xywh[..., 2:] < self.min_side) & gt_mask.bool()
            xywh[..., 2:] = torch.where(small, torch.full_like(xywh[..., 2:], self.min_side), xywh[..., 2:])
            boxes = xywh_to_xyxy(xywh)
        lt, rb = boxes.unsqueeze(2).chunk(2, -1)  # (B, M, 1, 2)
        d = torch.cat((anchors - lt, rb - anchors), -1)  # (B, M, A, 4)
        return d.amin(-1) > self.eps
