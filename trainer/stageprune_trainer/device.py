"""The device a job trains on: `cpu`, `cuda`, or `auto` (CUDA when torch sees a device, else the CPU). A run
says which it got and whether `auto` fell back to the CPU (the `start` and `done` events); `cuda` without a
CUDA device is DEVICE_UNAVAILABLE before anything is loaded."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from .errors import DeviceError


@dataclass(frozen=True)
class ResolvedDevice:
    device: torch.device
    requested: str
    # Why `auto` trains on the CPU, in a few words ("no CUDA device"), or None when it got what it asked for.
    fallback: str | None

    def event_fields(self) -> dict[str, object]:
        """The fields the `start` and `done` events carry."""
        return {"device": self.device.type, "device_requested": self.requested,
                "device_fallback": self.fallback is not None, "device_reason": self.fallback}


def cuda_unavailable_reason() -> str | None:
    """Why torch cannot train on CUDA here, in a few words, or None when it can."""
    if torch.version.cuda is None:
        return f"torch {torch.__version__} is built without CUDA"
    if torch.cuda.is_available():
        return None
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return f"CUDA_VISIBLE_DEVICES={visible.strip()!r} hides every CUDA device"
    return "no CUDA device"


def resolve_device(requested: str) -> ResolvedDevice:
    if requested == "cpu":
        return ResolvedDevice(torch.device("cpu"), requested, None)
    reason = cuda_unavailable_reason()
    if requested == "cuda":
        if reason is not None:
            raise DeviceError(f"device cuda requested, but CUDA is not available: {reason} "
                              f"(torch {torch.__version__}); train with device cpu or auto")
        return ResolvedDevice(torch.device("cuda"), requested, None)
    if reason is None:
        return ResolvedDevice(torch.device("cuda"), requested, None)
    return ResolvedDevice(torch.device("cpu"), requested, reason)
