#!/usr/bin/env python3
"""Development check: a "model soup" — the element-wise mean of the float initializers of several ONNX models
of one architecture (e.g. the same pruned model fine-tuned with different seeds), written as one model to
score with `stageprune eval`. Refuses models whose initializers differ in name, order or shape.

    .stageprune/venv/bin/python tools/dev-checks/average-onnx-weights.py OUT.onnx A.onnx B.onnx [...]
"""

from __future__ import annotations

import sys

import numpy as np
import onnx
from onnx import numpy_helper


def main(out: str, paths: list[str]) -> None:
    if len(paths) < 2:
        sys.exit("usage: average-onnx-weights.py OUT.onnx A.onnx B.onnx [...]")
    models = [onnx.load(p) for p in paths]
    first = models[0]
    for i, t in enumerate(first.graph.initializer):
        arrays = []
        for p, m in zip(paths, models):
            other = m.graph.initializer[i] if i < len(m.graph.initializer) else None
            if other is None or other.name != t.name:
                sys.exit(f"{p}: initializer {i} is not {t.name}")
            arrays.append(numpy_helper.to_array(other))
            if arrays[-1].shape != arrays[0].shape:
                sys.exit(f"{p}: {t.name} has shape {arrays[-1].shape}, not {arrays[0].shape}")
        if arrays[0].dtype.kind == "f":  # integer tensors (shapes, indices) are the same in every model
            t.CopyFrom(numpy_helper.from_array(np.mean(arrays, axis=0).astype(arrays[0].dtype), t.name))
    onnx.save(first, out)
    print(f"{out}: mean of {len(paths)} models")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
