"""Seeded, resumable batching: the order of epoch e is a permutation drawn from (seed, e); sample i of
epoch e is augmented with an RNG seeded by (seed, e, i). So a run is deterministic on the CPU whatever the
number of loader workers, and resuming at step k replays exactly the batches a straight run would see."""

from __future__ import annotations

import functools

import numpy as np
import torch
from PIL import Image

from .augment import AugmentConfig, prepare, prepare_mosaic
from .datasets import Dataset
from .errors import DatasetError


class DetectionData(torch.utils.data.Dataset):
    def __init__(self, ds: Dataset, imgsz: int, aug: AugmentConfig, seed: int, mosaic_until_epoch: int = 0):
        """Mosaic (with probability aug.mosaic) only in epochs before `mosaic_until_epoch`."""
        self.ds, self.imgsz, self.aug, self.seed, self.mosaic_until = ds, imgsz, aug, seed, mosaic_until_epoch

    def __len__(self) -> int:
        return len(self.ds.samples)

    def __getitem__(self, key: tuple[int, int]) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
        epoch, index = key
        rng = np.random.default_rng([self.seed, epoch, index]) if self.aug.enabled else None
        if rng is not None and epoch < self.mosaic_until and self.aug.mosaic > 0 and rng.random() < self.aug.mosaic:
            others = rng.integers(0, len(self.ds.samples), 3).tolist()
            items = [self._load(i) for i in [index] + others]
            arr, boxes, cls = prepare_mosaic(items, self.imgsz, self.aug, rng)
        else:
            img, b, c = self._load(index)
            arr, boxes, cls = prepare(img, b, c, self.imgsz, self.aug, rng)
        return torch.from_numpy(arr).permute(2, 0, 1).contiguous(), boxes, cls

    def _load(self, index: int) -> tuple[Image.Image, np.ndarray, np.ndarray]:
        s = self.ds.samples[index]
        try:
            with Image.open(s.path) as im:
                img = im.convert("RGB")
        except OSError as e:
            raise DatasetError(f"cannot decode image {s.path}: {e}") from e
        return img, s.boxes.copy(), s.cls.copy()


def collate(items: list[tuple[torch.Tensor, np.ndarray, np.ndarray]], imgsz: int) -> tuple[torch.Tensor, torch.Tensor]:
    """-> uint8 images (B, 3, S, S) and targets (N, 6) [image, class, cx, cy, w, h] normalised."""
    images = torch.stack([it[0] for it in items])
    rows = []
    for i, (_, boxes, cls) in enumerate(items):
        if len(boxes):
            b = torch.from_numpy(boxes) / imgsz
            xywh = torch.cat(((b[:, :2] + b[:, 2:]) / 2, b[:, 2:] - b[:, :2]), 1)
            rows.append(torch.cat((torch.full((len(b), 1), float(i)), torch.from_numpy(cls).float()[:, None], xywh), 1))
    targets = torch.cat(rows) if rows else torch.zeros(0, 6)
    return images, targets


def epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    return np.random.default_rng([seed, epoch, 0x5EED]).permutation(n).tolist()


def batches_for_epoch(n: int, batch: int, seed: int, epoch: int) -> list[list[tuple[int, int]]]:
    """Every image once per epoch, as ultralytics' loader (no drop_last): the last batch may be partial.
    A lone leftover image is dropped instead, because a one-image batch gives BatchNorm in training mode
    the statistics of a single image."""
    order = epoch_order(n, seed, epoch)
    nb = max(n // batch + (1 if n % batch >= 2 else 0), 1)
    return [[(epoch, i) for i in order[k * batch:(k + 1) * batch]] for k in range(nb)]


def make_loader(data: DetectionData, batch_keys: list[list[tuple[int, int]]], workers: int,
                pin_memory: bool = False) -> torch.utils.data.DataLoader:
    """pin_memory (on CUDA): batches land in page-locked memory, so the trainer's
    `.to(device, non_blocking=True)` copies asynchronously instead of staging through a pageable buffer."""
    return torch.utils.data.DataLoader(
        data,
        batch_sampler=batch_keys,
        num_workers=workers,
        collate_fn=functools.partial(collate, imgsz=data.imgsz),  # picklable for spawn-started workers
        persistent_workers=False,
        pin_memory=pin_memory,
    )
