"""The job file: JSON, validated by hand (no pydantic in the venv) into plain dicts with defaults.
Every problem is reported with its JSON path; unknown keys are errors (a typo must not silently
fall back to a default). The schema is documented in trainer/README.md."""

from __future__ import annotations

import json
import os
from typing import Any

from .errors import JobError

_NUM = (int, float)


class _V:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def obj(self, v: Any, path: str, fields: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
        """fields: name -> (checker, default); default REQUIRED means required."""
        if not isinstance(v, dict):
            self.errors.append(f"{path}: expected an object")
            return {}
        for k in v:
            if k not in fields:
                self.errors.append(f"{path}.{k}: unknown field (allowed: {', '.join(sorted(fields))})")
        out: dict[str, Any] = {}
        for k, (check, default) in fields.items():
            if k not in v or v[k] is None:
                if default is REQUIRED:
                    self.errors.append(f"{path}.{k}: required")
                    out[k] = None
                else:
                    out[k] = default() if callable(default) else default
                continue
            out[k] = check(v[k], f"{path}.{k}")
        return out


REQUIRED = object()
# Output distillation's weight in a label-free fine-tune when the job leaves it out (measured: docs/BENCHMARKS.md,
# "Distillation settings on val").
LABEL_FREE_OUTPUT_WEIGHT = 10.0


def _str(v: Any, p: str, e: _V) -> str:
    if not isinstance(v, str) or not v:
        e.errors.append(f"{p}: expected a non-empty string")
    return v


def _num(lo: float, hi: float, integer: bool = False):
    def check(v: Any, p: str, e: _V) -> Any:
        ok = isinstance(v, int) if integer else isinstance(v, _NUM)
        if isinstance(v, bool) or not ok or not (lo <= v <= hi):
            e.errors.append(f"{p}: expected {'an integer' if integer else 'a number'} in [{lo}, {hi}], got {json.dumps(v)}")
        return v
    return check


def _bool(v: Any, p: str, e: _V) -> bool:
    if not isinstance(v, bool):
        e.errors.append(f"{p}: expected true or false")
    return v


def _enum(*allowed: str):
    def check(v: Any, p: str, e: _V) -> Any:
        if v not in allowed:
            e.errors.append(f"{p}: expected one of {', '.join(allowed)}, got {json.dumps(v)}")
        return v
    return check


def _strs(v: Any, p: str, e: _V) -> list[str]:
    if not isinstance(v, list) or not all(isinstance(s, str) and s for s in v):
        e.errors.append(f"{p}: expected a list of non-empty strings")
    return v


def _paths(v: Any, p: str, e: _V) -> Any:
    """One path, or a non-empty list of them (several splits of one data set)."""
    if isinstance(v, str) and v:
        return v
    if isinstance(v, list) and v and all(isinstance(x, str) and x for x in v):
        return v
    e.errors.append(f"{p}: expected a non-empty string or a non-empty list of them")
    return v


def _weights(v: Any, p: str, e: _V) -> Any:
    if isinstance(v, _NUM) and not isinstance(v, bool) and v >= 0:
        return v
    if isinstance(v, list) and all(isinstance(x, _NUM) and not isinstance(x, bool) and x >= 0 for x in v):
        return v
    e.errors.append(f"{p}: expected a non-negative number or a list of them (one per level)")
    return v


def validate_job(raw: Any, base_dir: str = ".") -> dict[str, Any]:
    e = _V()
    b = lambda f: (lambda v, p: f(v, p, e))  # noqa: E731 - bind the collector
    top = e.obj(raw, "job", {
        "version": (b(_num(1, 1, True)), 1),
        "mode": (b(_enum("train", "finetune")), REQUIRED),
        "model": (b(_str), REQUIRED),
        "teacher": (b(_str), None),
        "out": (b(_str), REQUIRED),
        "data": (lambda v, p: v, REQUIRED),
        "labels": (b(_bool), True),
        "imgsz": (b(_num(32, 4096, True)), 640),
        "epochs": (b(_num(0, 100000, True)), REQUIRED),
        "max_steps": (b(_num(0, 10**9, True)), None),
        "batch": (b(_num(1, 1024, True)), 16),
        "seed": (b(_num(0, 2**31 - 1, True)), 0),
        "device": (b(_enum("auto", "cpu", "cuda")), "auto"),
        "amp": (b(_bool), True),
        "workers": (b(_num(0, 64, True)), 0),
        "threads": (b(_num(0, 256, True)), 0),
        "checkpoint_every": (b(_num(1, 10**9, True)), 500),
        "keep_checkpoints": (b(_num(1, 100, True)), 2),
        "log_every": (b(_num(1, 10**6, True)), 10),
        "ema": (b(_bool), True),
        "ema_decay": (b(_num(0, 1)), 0.9999),
        "ema_tau": (b(_num(1, 10**9)), 2000),
        "optimizer": (lambda v, p: v, dict),
        "loss": (lambda v, p: v, dict),
        "cwd": (lambda v, p: v, dict),
        "output_distill": (lambda v, p: v, dict),
        "sparsity": (lambda v, p: v, dict),
        "augment": (lambda v, p: v, dict),
        "taylor": (lambda v, p: v, None),
        "head": (lambda v, p: v, None),
    })
    if top:
        data = top["data"]
        fmt = data.get("format") if isinstance(data, dict) else None
        extra = {"voc": {"root": (b(_str), REQUIRED), "splits": (b(_strs), lambda: ["train"])},
                 "yolo": {"images": (b(_paths), REQUIRED), "classes": (b(_strs), None)},
                 "coco": {"images": (b(_paths), REQUIRED), "annotations": (b(_paths), REQUIRED)},
                 "images": {"images": (b(_str), REQUIRED)}}
        if fmt not in extra:
            e.errors.append(f"job.data.format: expected one of voc, yolo, coco, images, got {json.dumps(fmt)}")
        else:
            top["data"] = e.obj(data, "job.data", {"format": (lambda v, p: v, REQUIRED),
                                                  "names": (b(_strs), None),
                                                  "limit": (b(_num(1, 10**9, True)), None),
                                                  "hold_out": (lambda v, p: v, None), **extra[fmt]})
            if top["data"].get("hold_out") is not None:
                top["data"]["hold_out"] = e.obj(top["data"]["hold_out"], "job.data.hold_out", {
                    "count": (b(_num(1, 10**9, True)), REQUIRED), "seed": (b(_num(0, 2**31 - 1, True)), 0),
                    "part": (b(_enum("held", "rest")), REQUIRED)})
            for k in ("root", "images", "annotations"):
                v = top["data"].get(k)
                if isinstance(v, str):
                    top["data"][k] = os.path.join(base_dir, v)
                elif isinstance(v, list):
                    top["data"][k] = [os.path.join(base_dir, x) if isinstance(x, str) else x for x in v]
            if fmt == "coco":
                ims, anns = top["data"].get("images"), top["data"].get("annotations")
                pairs = [isinstance(ims, list), isinstance(anns, list)]
                if pairs[0] != pairs[1] or (all(pairs) and len(ims) != len(anns)):
                    e.errors.append("job.data: coco images and annotations must both be one path, "
                                    "or lists of equal length (images[i] holds the files of annotations[i])")
        top["optimizer"] = e.obj(top["optimizer"], "job.optimizer", {
            "name": (b(_enum("sgd", "adamw")), "sgd"),
            "lr0": (b(_num(0, 10)), 0.01),
            "lrf": (b(_num(0, 1)), 0.01),
            "momentum": (b(_num(0, 1)), 0.937),
            "weight_decay": (b(_num(0, 1)), 0.0005),
            "warmup_epochs": (b(_num(0, 1000)), 3.0),
            "warmup_momentum": (b(_num(0, 1)), 0.8),
            "warmup_bias_lr": (b(_num(0, 10)), 0.1),
            "nbs": (b(_num(1, 4096, True)), 64),
            "cos_lr": (b(_bool), False),
            "clip_norm": (b(_num(0, 1e6)), 10.0),
        })
        top["loss"] = e.obj(top["loss"], "job.loss", {
            "box": (b(_num(0, 1e4)), 7.5), "cls": (b(_num(0, 1e4)), 0.5), "dfl": (b(_num(0, 1e4)), 1.5),
            "topk": (b(_num(1, 1000, True)), 10), "min_side": (b(_num(0, 1e4)), None),
        })
        top["cwd"] = e.obj(top["cwd"], "job.cwd", {
            "enabled": (b(_bool), None), "tau": (b(_num(1e-3, 1e3)), 1.0), "weight": (b(_weights), 10.0),
            "student": (b(_strs), None), "teacher": (b(_strs), None),
            "head_weight": (b(_num(0, 1e4)), 0.0), "cache_teacher": (b(_bool), True),
        })
        top["output_distill"] = e.obj(top["output_distill"], "job.output_distill", {
            "weight": (b(_num(0, 1e4)), None), "tau": (b(_num(1e-3, 1e3)), 1.0),
        })
        top["sparsity"] = e.obj(top["sparsity"], "job.sparsity", {"l1": (b(_num(0, 10)), 0.0)})
        top["augment"] = e.obj(top["augment"], "job.augment", {
            "enabled": (b(_bool), True), "hsv_h": (b(_num(0, 1)), 0.015), "hsv_s": (b(_num(0, 1)), 0.7),
            "hsv_v": (b(_num(0, 1)), 0.4), "fliplr": (b(_num(0, 1)), 0.5), "scale": (b(_num(0, 0.99)), 0.5),
            "translate": (b(_num(0, 0.5)), 0.1), "mosaic": (b(_num(0, 1)), 1.0),
            "close_mosaic": (b(_num(0, 100000, True)), 10),
        })
        if top["taylor"] is not None:
            top["taylor"] = e.obj(top["taylor"], "job.taylor", {"out": (b(_str), REQUIRED),
                                                               "batches": (b(_num(1, 10**6, True)), 8)})
            if isinstance(top["taylor"].get("out"), str):
                top["taylor"]["out"] = os.path.join(base_dir, top["taylor"]["out"])
        if top["head"] is not None:
            top["head"] = e.obj(top["head"], "job.head", {"box": (b(_strs), REQUIRED), "cls": (b(_strs), REQUIRED),
                                                         "neck": (b(_strs), lambda: [])})
        for k in ("model", "teacher", "out"):
            if isinstance(top.get(k), str):
                top[k] = os.path.join(base_dir, top[k])
        if top["mode"] == "finetune" and not top["teacher"]:
            e.errors.append("job.teacher: required when mode is finetune")
        if top["mode"] == "train" and top["teacher"]:
            e.errors.append("job.teacher: only allowed when mode is finetune")
        if top["mode"] == "train" and not top["labels"]:
            e.errors.append("job.labels: mode train needs labels (use mode finetune with a teacher for label-free recovery)")
        if isinstance(top.get("imgsz"), int) and top["imgsz"] % 32:
            e.errors.append(f"job.imgsz: must be a multiple of 32, got {top['imgsz']}")
        if top["cwd"].get("enabled") is None:
            top["cwd"]["enabled"] = top["mode"] == "finetune"
        if top["output_distill"].get("weight") is None:
            # Without labels nothing else trains the head (neck CWD stops before it): the teacher's outputs are
            # its targets unless the job says otherwise.
            unlabelled = top["mode"] == "finetune" and top["labels"] is False
            top["output_distill"]["weight"] = LABEL_FREE_OUTPUT_WEIGHT if unlabelled else 0.0
        if top["cwd"]["enabled"] and top["mode"] != "finetune":
            e.errors.append("job.cwd.enabled: CWD needs a teacher (mode finetune)")
        if top["cwd"].get("head_weight") and top["mode"] != "finetune":
            e.errors.append("job.cwd.head_weight: CWD on the head's maps needs a teacher (mode finetune)")
        if top["output_distill"].get("weight") and top["mode"] != "finetune":
            e.errors.append("job.output_distill.weight: output distillation needs a teacher (mode finetune)")
        if (top["mode"] == "finetune" and not top["labels"] and not top["cwd"]["enabled"]
                and not top["output_distill"]["weight"] and not top["cwd"].get("head_weight")):
            e.errors.append("job: without labels, enable CWD or output distillation, or there is nothing to learn from")
    if e.errors:
        raise JobError("invalid job file:\n  " + "\n  ".join(e.errors))
    return top


def read_job(path: str) -> dict[str, Any]:
    try:
        with open(path) as f:
            raw = json.load(f)
    except OSError as err:
        raise JobError(f"cannot read job file {path}: {err}") from err
    except ValueError as err:
        raise JobError(f"job file {path} is not valid JSON: {err}") from err
    return validate_job(raw, os.path.dirname(os.path.abspath(path)))
