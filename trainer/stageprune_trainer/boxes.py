"""Box helpers shared by the detection loss and the assigner (xyxy pixel or grid units)."""

from __future__ import annotations

import math

import torch

Tensor = torch.Tensor


def xywh_to_xyxy(b: Tensor) -> Tensor:
    xy, wh = b[..., :2], b[..., 2:4] / 2
    return torch.cat((xy - wh, xy + wh), -1)


def xyxy_to_xywh(b: Tensor) -> Tensor:
    return torch.cat(((b[..., :2] + b[..., 2:4]) / 2, b[..., 2:4] - b[..., :2]), -1)


def ciou(a: Tensor, b: Tensor, eps: float = 1e-7) -> Tensor:
    """Complete IoU of xyxy boxes a and b (broadcast over leading dims), shape (..., 1)."""
    ax1, ay1, ax2, ay2 = a.chunk(4, -1)
    bx1, by1, bx2, by2 = b.chunk(4, -1)
    w1, h1 = ax2 - ax1, ay2 - ay1 + eps
    w2, h2 = bx2 - bx1, by2 - by1 + eps
    inter = (ax2.minimum(bx2) - ax1.maximum(bx1)).clamp(0) * (ay2.minimum(by2) - ay1.maximum(by1)).clamp(0)
    union = w1 * h1 + w2 * h2 - inter + eps
    iou = inter / union
    cw = ax2.maximum(bx2) - ax1.minimum(bx1)
    ch = ay2.maximum(by2) - ay1.minimum(by1)
    c2 = cw.pow(2) + ch.pow(2) + eps
    rho2 = ((bx1 + bx2 - ax1 - ax2).pow(2) + (by1 + by2 - ay1 - ay2).pow(2)) / 4
    v = (4 / math.pi**2) * ((w2 / h2).atan() - (w1 / h1).atan()).pow(2)
    with torch.no_grad():
        alpha = v / (v - iou + (1 + eps))
    return iou - (rho2 / c2 + v * alpha)


def anchors_for(shapes: list[tuple[int, int]], strides: list[float], dtype: torch.dtype, device: torch.device,
                offset: float = 0.5) -> tuple[Tensor, Tensor]:
    """Anchor centres in grid units (N, 2) and their strides (N, 1), level by level, row-major."""
    points, stride_t = [], []
    for (h, w), s in zip(shapes, strides):
        sx = torch.arange(w, device=device, dtype=dtype) + offset
        sy = torch.arange(h, device=device, dtype=dtype) + offset
        yy, xx = torch.meshgrid(sy, sx, indexing="ij")
        points.append(torch.stack((xx, yy), -1).view(-1, 2))
        stride_t.append(torch.full((h * w, 1), s, dtype=dtype, device=device))
    return torch.cat(points), torch.cat(stride_t)


def ltrb_to_xyxy(d: Tensor, anchors: Tensor) -> Tensor:
    lt, rb = d.chunk(2, -1)
    return torch.cat((anchors - lt, anchors + rb), -1)


def xyxy_to_ltrb(anchors: Tensor, boxes: Tensor, limit: float) -> Tensor:
    x1y1, x2y2 = boxes.chunk(2, -1)
    return torch.cat((anchors - x1y1, x2y2 - anchors), -1).clamp(0, limit - 0.01)
