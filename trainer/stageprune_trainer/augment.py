"""Letterbox and training augmentations with ultralytics' geometry: resize the long side to imgsz,
centre-pad with 114 to imgsz×imgsz (LetterBox rounding), then random scale/translate about the centre
(RandomPerspective with degrees=shear=perspective=0), HSV gains and a horizontal flip. Letterbox and
affine are composed into one PIL affine warp. Interpolation is PIL bilinear (ultralytics uses cv2), so
geometry and boxes match exactly while pixel values may differ slightly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

PAD = 114


@dataclass
class AugmentConfig:
    enabled: bool = True
    hsv_h: float = 0.015
    hsv_s: float = 0.7
    hsv_v: float = 0.4
    fliplr: float = 0.5
    scale: float = 0.5
    translate: float = 0.1
    mosaic: float = 1.0  # probability of a 4-image mosaic (ultralytics' default)
    close_mosaic: int = 10  # no mosaic in the last N epochs


def letterbox_matrix(w: int, h: int, size: int) -> tuple[np.ndarray, tuple[int, int]]:
    """3×3 matrix from original pixels to letterboxed pixels (long side resized to `size`, centred)."""
    r = min(size / h, size / w)
    nw, nh = int(round(w * r)), int(round(h * r))
    dw, dh = (size - nw) / 2, (size - nh) / 2
    left, top = int(round(dw - 0.1)), int(round(dh - 0.1))
    m = np.array([[nw / w, 0, left], [0, nh / h, top], [0, 0, 1]], dtype=np.float64)
    return m, (nw, nh)


def _transform_boxes(boxes: np.ndarray, m: np.ndarray) -> np.ndarray:
    if len(boxes) == 0:
        return boxes.reshape(0, 4)
    x1, y1, x2, y2 = boxes.T
    pts = np.stack([np.stack([x1, y1]), np.stack([x2, y1]), np.stack([x1, y2]), np.stack([x2, y2])])  # (4, 2, n)
    xy = np.einsum("ij,kjn->kin", m[:2, :2], pts) + m[:2, 2:3][None]
    return np.stack([xy[:, 0].min(0), xy[:, 1].min(0), xy[:, 0].max(0), xy[:, 1].max(0)], 1)


def _box_candidates(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    w1, h1 = before[:, 2] - before[:, 0], before[:, 3] - before[:, 1]
    w2, h2 = after[:, 2] - after[:, 0], after[:, 3] - after[:, 1]
    ar = np.maximum(w2 / (h2 + 1e-16), h2 / (w2 + 1e-16))
    return (w2 > 2) & (h2 > 2) & (w2 * h2 / (w1 * h1 + 1e-16) > 0.1) & (ar < 100)


def _hsv(img: Image.Image, rng: np.random.Generator, cfg: AugmentConfig) -> Image.Image:
    if not (cfg.hsv_h or cfg.hsv_s or cfg.hsv_v):
        return img
    r = rng.uniform(-1, 1, 3) * [cfg.hsv_h, cfg.hsv_s, cfg.hsv_v] + 1
    x = np.arange(256, dtype=np.float64)
    lut_h = ((x * r[0]) % 256).astype(np.uint8)
    lut_s = np.clip(x * r[1], 0, 255).astype(np.uint8)
    lut_v = np.clip(x * r[2], 0, 255).astype(np.uint8)
    h, s, v = img.convert("HSV").split()
    return Image.merge("HSV", (h.point(lut_h.tolist()), s.point(lut_s.tolist()), v.point(lut_v.tolist()))).convert("RGB")


def _resize_long(img: Image.Image, size: int) -> tuple[Image.Image, float, float]:
    w, h = img.size
    r = size / max(w, h)
    if r == 1:
        return img, 1.0, 1.0
    nw, nh = max(int(round(w * r)), 1), max(int(round(h * r)), 1)
    return img.resize((nw, nh), Image.BILINEAR), nw / w, nh / h


def prepare_mosaic(items: list[tuple[Image.Image, np.ndarray, np.ndarray]], size: int, cfg: AugmentConfig,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ultralytics' 4-image mosaic: each image (long side = size) fills a quadrant around a random centre
    of a 2·size canvas (pad 114), then the random scale/translate warps the canvas centre to size×size;
    HSV and flip follow as in `prepare`."""
    s = size
    xc, yc = (int(rng.uniform(s / 2, 3 * s / 2)) for _ in range(2))
    canvas = Image.new("RGB", (2 * s, 2 * s), (PAD, PAD, PAD))
    all_boxes, all_cls = [], []
    for i, (img, boxes, cls) in enumerate(items):
        img, fx, fy = _resize_long(img, s)
        w, h = img.size
        if i == 0:
            a = (max(xc - w, 0), max(yc - h, 0), xc, yc)
            b = (w - (a[2] - a[0]), h - (a[3] - a[1]), w, h)
        elif i == 1:
            a = (xc, max(yc - h, 0), min(xc + w, 2 * s), yc)
            b = (0, h - (a[3] - a[1]), min(w, a[2] - a[0]), h)
        elif i == 2:
            a = (max(xc - w, 0), yc, xc, min(2 * s, yc + h))
            b = (w - (a[2] - a[0]), 0, w, min(a[3] - a[1], h))
        else:
            a = (xc, yc, min(xc + w, 2 * s), min(2 * s, yc + h))
            b = (0, 0, min(w, a[2] - a[0]), min(a[3] - a[1], h))
        if a[2] > a[0] and a[3] > a[1]:
            canvas.paste(img.crop(b), (a[0], a[1]))
        if len(boxes):
            bx = boxes * np.array([fx, fy, fx, fy], dtype=np.float32) + np.array(
                [a[0] - b[0], a[1] - b[1], a[0] - b[0], a[1] - b[1]], dtype=np.float32)
            all_boxes.append(bx)
            all_cls.append(cls)
    boxes = np.concatenate(all_boxes) if all_boxes else np.zeros((0, 4), np.float32)
    cls = np.concatenate(all_cls) if all_cls else np.zeros((0,), np.int64)
    if len(boxes):
        boxes = boxes.clip(0, 2 * s)
    sc = rng.uniform(1 - cfg.scale, 1 + cfg.scale)
    tx = rng.uniform(0.5 - cfg.translate, 0.5 + cfg.translate) * s
    ty = rng.uniform(0.5 - cfg.translate, 0.5 + cfg.translate) * s
    m = np.array([[sc, 0, tx - sc * s], [0, sc, ty - sc * s], [0, 0, 1]], dtype=np.float64)  # T·S·C(−s)
    return _finish(canvas, boxes, cls, m, sc, s, cfg, rng)


def prepare(img: Image.Image, boxes: np.ndarray, cls: np.ndarray, size: int, cfg: AugmentConfig,
            rng: np.random.Generator | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Returns (H×W×3 uint8 image of size×size, boxes xyxy in its pixels, classes)."""
    w, h = img.size
    m, _ = letterbox_matrix(w, h, size)
    augment = cfg.enabled and rng is not None
    if augment:
        assert rng is not None
        s = rng.uniform(1 - cfg.scale, 1 + cfg.scale)
        tx = rng.uniform(0.5 - cfg.translate, 0.5 + cfg.translate) * size
        ty = rng.uniform(0.5 - cfg.translate, 0.5 + cfg.translate) * size
        c = np.array([[1, 0, -size / 2], [0, 1, -size / 2], [0, 0, 1]], dtype=np.float64)
        a = np.array([[s, 0, 0], [0, s, 0], [0, 0, 1]], dtype=np.float64)
        t = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], dtype=np.float64)
        m = t @ a @ c @ m
    else:
        s = 1.0
    return _finish(img, boxes, cls, m, s, size, cfg, rng if augment else None)


def _finish(img: Image.Image, boxes: np.ndarray, cls: np.ndarray, m: np.ndarray, s: float, size: int,
            cfg: AugmentConfig, rng: np.random.Generator | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Warp by m to size×size, move and filter the boxes, then HSV and flip when augmenting."""
    augment = rng is not None
    inv = np.linalg.inv(m)
    out = img.transform((size, size), Image.AFFINE, data=tuple(inv[:2].flatten()), resample=Image.BILINEAR,
                        fillcolor=(PAD, PAD, PAD))
    if augment:
        out = _hsv(out, rng, cfg)  # type: ignore[arg-type]
    new = _transform_boxes(boxes, m)
    if len(new):
        new[:, [0, 2]] = new[:, [0, 2]].clip(0, size)
        new[:, [1, 3]] = new[:, [1, 3]].clip(0, size)
        keep = _box_candidates(_transform_boxes(boxes, np.diag([m[0, 0], m[1, 1], 1.0])), new)  # before: boxes × s
        new, cls = new[keep], cls[keep]
    arr = np.array(out, dtype=np.uint8)
    if augment and rng.random() < cfg.fliplr:  # type: ignore[union-attr]
        arr = arr[:, ::-1]
        if len(new):
            new = np.stack([size - new[:, 2], new[:, 1], size - new[:, 0], new[:, 3]], 1)
    return np.ascontiguousarray(arr), new.astype(np.float32), cls
