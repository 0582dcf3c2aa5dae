"""ultralytics' (8.4) optimisation schedule as pure functions of the step: linear or cosine LR decay per
epoch, a warmup of `warmup_epochs` epochs (capped to leave the last epoch unwarmed) during which LR,
momentum and the number of accumulated batches ramp to their nominal values. The ramped accumulation
matters for short runs: it gives the first epochs several times more optimiser steps."""

from __future__ import annotations

import math

import numpy as np


def lr_factor(epoch: int, epochs: int, lrf: float, cos: bool) -> float:
    epochs = max(epochs, 1)
    if cos:
        return ((1 - math.cos(epoch * math.pi / epochs)) / 2) * (lrf - 1) + 1
    return max(1 - epoch / epochs, 0) * (1.0 - lrf) + lrf


def warmup_steps(warmup_epochs: float, epochs: int, batches_per_epoch: int) -> int:
    w = min(warmup_epochs, max(epochs - 1, 0))
    return round(w * batches_per_epoch) if w > 0 else 0


def accumulate_at(step: int, warmup: int, nominal: int) -> int:
    """Batches accumulated per optimiser step at this step: 1 → nominal over the warmup."""
    if warmup and step <= warmup:
        return max(1, int(np.interp(step, [0, warmup], [1, nominal]).round()))
    return nominal


def group_lr_momentum(step: int, warmup: int, base_lr: float, start_lr: float, momentum: float,
                      warmup_momentum: float) -> tuple[float, float]:
    """LR and momentum of one parameter group; start_lr is where its warmup begins (0, or the bias LR)."""
    if warmup and step <= warmup:
        return (float(np.interp(step, [0, warmup], [start_lr, base_lr])),
                float(np.interp(step, [0, warmup], [warmup_momentum, momentum])))
    return base_lr, momentum
