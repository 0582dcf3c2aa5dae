"""Exponential moving average of the trained tensors (ultralytics' ModelEMA: decay 0.9999 ramped with
tau 2000 updates); the EMA weights are what gets written back to ONNX."""

from __future__ import annotations

import math

import torch


class Ema:
    def __init__(self, state: dict[str, torch.Tensor], decay: float = 0.9999, tau: float = 2000, updates: int = 0):
        self.state = {k: v.detach().clone() for k, v in state.items()}
        self.decay, self.tau, self.updates = decay, tau, updates

    @torch.no_grad()
    def update(self, live: dict[str, torch.Tensor]) -> None:
        self.updates += 1
        d = self.decay * (1 - math.exp(-self.updates / self.tau))
        for k, v in self.state.items():
            v.mul_(d).add_(live[k].detach().to(v.dtype), alpha=1 - d)
