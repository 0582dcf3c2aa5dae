"""Resume: a tiny training job run straight, and the same job stopped by SIGTERM part-way and resumed from the
checkpoint the signal wrote, end with identical weights, EMA, optimizer state and written model (bit for bit:
the CPU run is deterministic).

The Python-level twin of test/trainer/trainer-protocol.test.ts's resume test, in process and small: the
committed tiny model at 64 px, 9 BCCD images in batches of 3 (3 steps per epoch), 2 epochs, mosaic and the
other augmentations in the first, warmup ramping the accumulation 1 → 2 over the first 3 steps, EMA on.
Optimiser steps come after steps 1, 2, 4 and 6. Stopped during step 4 (mid-epoch, just after an optimiser step),
the resumed run must know when the last one was; stopped during step 5, the checkpoint holds step 5's
accumulated gradients and the resumed run adds step 6's.
"""

from __future__ import annotations

import os
import signal
from typing import Any, Iterator

import onnx
import pytest
import torch
from onnx import numpy_helper
from support import BCCD, MODELS

from stageprune_trainer import checkpoint as ckpt
from stageprune_trainer.job import validate_job
from stageprune_trainer.signals import stop
from stageprune_trainer.train import Run

STEPS = 6


def _job(out: str) -> dict[str, Any]:
    return validate_job({
        "mode": "train",
        "model": os.path.join(MODELS, "yolov8n-tiny-bccd.onnx"),
        "out": out,
        "data": {"format": "voc", "root": BCCD, "splits": ["train"], "limit": 9},
        "imgsz": 64,
        "epochs": 2,
        "batch": 3,
        "seed": 3,
        "device": "cpu",
        "threads": 1,
        "log_every": 1,
        "checkpoint_every": 1000,
        "keep_checkpoints": 5,
        "ema": True,
        "ema_decay": 0.9,
        "ema_tau": 1,
        "augment": {"close_mosaic": 1},
        "optimizer": {"nbs": 6, "warmup_epochs": 1, "lr0": 0.02},
    })


@pytest.fixture(autouse=True, scope="module")
def _process_state() -> Iterator[None]:
    """Run installs SIGTERM/SIGINT handlers and turns on deterministic algorithms: give pytest its own back."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    deterministic = torch.are_deterministic_algorithms_enabled()
    stop["signal"] = 0
    yield
    stop["signal"] = 0
    for s, h in handlers.items():
        signal.signal(s, h)
    torch.use_deterministic_algorithms(deterministic)


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = Run(_job(str(tmp_path_factory.mktemp("straight"))))
    run.train()
    assert run.finished and run.step == STEPS and run.optimizer_steps == 4
    # training moved the weights (else equal weights would prove nothing)
    before = _weights(os.path.join(MODELS, "yolov8n-tiny-bccd.onnx"))
    after = _weights(os.path.join(run.job["out"], "model.onnx"))
    assert any(not (before[n] == after[n]).all() for n in before if n.endswith("conv.weight"))
    return run


def _weights(model_file: str) -> dict[str, Any]:
    return {t.name: numpy_helper.to_array(t) for t in onnx.load(model_file).graph.initializer}


@pytest.mark.parametrize("stop_during", [4, 5])
def test_interrupted_and_resumed_run_equals_straight_run(straight: Run, stop_during: int, tmp_path: Any) -> None:
    # SIGTERM during step `stop_during`: the step finishes, a checkpoint is written, train() returns
    job = _job(str(tmp_path / "resumed"))
    first = Run(job)
    loss, calls = first.loss, []

    def loss_then_signal(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == stop_during:
            signal.raise_signal(signal.SIGTERM)
        return loss(*args, **kwargs)

    first.loss = loss_then_signal  # type: ignore[method-assign]
    path = first.train()
    assert not first.finished and first.step == stop_during
    saved = ckpt.load(path)
    assert saved["step"] == stop_during
    assert bool(saved["grads"]) == (stop_during == 5), "inside an accumulation window only when stopped during 5"
    assert not os.path.exists(os.path.join(job["out"], "model.onnx"))

    stop["signal"] = 0
    second = Run(job)
    second.resume(path)
    assert second.step == stop_during
    second.train()
    assert second.finished and second.step == STEPS and second.optimizer_steps == straight.optimizer_steps

    a, b = ckpt.load(straight.last_checkpoint), ckpt.load(second.last_checkpoint)
    for part in ("student", "ema"):
        assert a[part].keys() == b[part].keys()
        for name in a[part]:
            assert torch.equal(a[part][name], b[part][name]), f"{part} {name}"
    opt_a, opt_b = a["optimizer"]["state"], b["optimizer"]["state"]
    assert opt_a.keys() == opt_b.keys()
    assert all(torch.equal(opt_a[k]["momentum_buffer"], opt_b[k]["momentum_buffer"]) for k in opt_a)
    model_a, model_b = (os.path.join(r.job["out"], "model.onnx") for r in (straight, second))
    with open(model_a, "rb") as fa, open(model_b, "rb") as fb:
        assert fa.read() == fb.read(), "the same written model, byte for byte"
