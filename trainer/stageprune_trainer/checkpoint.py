"""Checkpoints: plain tensors and primitives only (loaded with weights_only=True), written atomically.
A checkpoint records the SHA-256 of the student (and teacher) ONNX file and the names and shapes of every
trained tensor; resuming with a different model is an error, never a silent restart."""

from __future__ import annotations

import glob
import hashlib
import os
from typing import Any

import torch

from .errors import CheckpointError

FORMAT = "stageprune-trainer-checkpoint"


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save(path: str, payload: dict[str, Any], keep: int) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    torch.save({"format": FORMAT, "version": 1, **payload}, tmp)
    os.replace(tmp, path)
    old = sorted(glob.glob(os.path.join(os.path.dirname(path), "step-*.pt")))
    for p in old[:-keep]:
        if p != path:
            os.remove(p)


def load(path: str) -> dict[str, Any]:
    if not os.path.isfile(path):
        raise CheckpointError(f"checkpoint not found: {path}", "CHECKPOINT_NOT_FOUND")
    try:
        ck = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001
        raise CheckpointError(f"cannot read checkpoint {path}: {e}", "CHECKPOINT_UNREADABLE") from e
    if not isinstance(ck, dict) or ck.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a stageprune trainer checkpoint", "CHECKPOINT_UNREADABLE")
    return ck


def check_compatible(ck: dict[str, Any], identity: dict[str, Any], path: str) -> None:
    """identity: what this run is (model/teacher sha256, mode, trained-tensor signature, batches/epoch)."""
    for key, what in (("model_sha256", "student model"), ("teacher_sha256", "teacher model"), ("mode", "mode"),
                      ("signature", "trained tensors (names and shapes)"), ("batches_per_epoch", "batches per epoch"),
                      ("adapters", "CWD adapters")):
        if ck.get("identity", {}).get(key) != identity.get(key):
            raise CheckpointError(
                f"checkpoint {path} belongs to a different run: its {what} differs from this job's "
                f"({str(ck.get('identity', {}).get(key))[:80]} vs {str(identity.get(key))[:80]})"
            )


def grad_rescale(saved_scaler: dict[str, Any], amp: bool, current_scale: float) -> float:
    """Factor for the accumulated gradients of an unfinished window when resuming. They were saved as the
    GradScaler left them: multiplied by its scale under AMP (CUDA), unscaled without (a disabled scaler's
    state is empty). A resume on the same kind of device gets 1; one that switches AMP on or off (a CPU
    checkpoint resumed on CUDA, or the reverse) gets what makes them match this run's scaler."""
    saved = float(saved_scaler.get("scale", 1.0)) if saved_scaler else 1.0
    return (current_scale if amp else 1.0) / saved
