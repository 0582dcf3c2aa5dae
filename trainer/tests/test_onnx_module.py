"""The ONNX-to-torch interpreter (onnx_module.py, ops.py) against onnxruntime on the committed models and on a
pruned one (test/fixtures/trainer/tiny-pruned.onnx: `stageprune prune models/yolov8n-tiny-bccd.onnx --ratio 0.5`,
its plan beside it). Eval mode (BN running statistics), one seeded random image at the model's input size.

Tolerance, max abs difference: 1e-4 on the tensors training uses (neck outputs P3-P5, Detect's raw box and class
maps; measured ≤ 1.4e-5) and on output0's class scores (measured ≤ 5e-7). output0's box rows are pixel
coordinates up to ~500, where float32 values are 3.05e-5 apart: the decode (DFL expectation × stride 8-32 +
anchor) turns the raw maps' ~1e-5 differences into up to 1.53e-4 (5 float32 steps) on yolov8n-bccd at 416 px,
so those rows are held to 3e-4 (10 steps).
"""

from __future__ import annotations

import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from support import FIXTURES, MODELS

from stageprune_trainer.onnx_module import OnnxModule
from stageprune_trainer.yolo_head import find_head

MODELS_UNDER_TEST = [
    os.path.join(MODELS, "yolov8n-bccd.onnx"),
    os.path.join(MODELS, "yolov8n-tiny-bccd.onnx"),
    os.path.join(FIXTURES, "tiny-pruned.onnx"),
]
TOL = 1e-4
TOL_BOX_PIXELS = 3e-4


def _image(proto: onnx.ModelProto) -> torch.Tensor:
    dims = [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
    return torch.rand(*dims, generator=torch.Generator().manual_seed(0))


def _ort(proto: onnx.ModelProto, outputs: list[str], x: torch.Tensor) -> dict[str, np.ndarray]:
    """onnxruntime (CPU, default graph optimisations) on `proto` with `outputs` as its graph outputs."""
    p = onnx.ModelProto()
    p.CopyFrom(proto)
    del p.graph.output[:]
    p.graph.output.extend(onnx.helper.make_empty_tensor_value_info(n) for n in outputs)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(p.SerializeToString(), so, providers=["CPUExecutionProvider"])
    return dict(zip(outputs, sess.run(outputs, {sess.get_inputs()[0].name: x.numpy()})))


def _ours(proto: onnx.ModelProto, outputs: list[str], x: torch.Tensor) -> dict[str, np.ndarray]:
    m = OnnxModule(proto, outputs).eval()
    with torch.no_grad():
        return {k: v.numpy() for k, v in m(x).items()}


@pytest.fixture(scope="module", params=MODELS_UNDER_TEST, ids=os.path.basename)
def model(request: pytest.FixtureRequest) -> onnx.ModelProto:
    return onnx.load(request.param)


def test_pruned_fixture_is_pruned() -> None:
    """The pruned model really has fewer channels than the model it came from (else it tests nothing new)."""
    full = find_head(onnx.load(os.path.join(MODELS, "yolov8n-tiny-bccd.onnx")))
    pruned = find_head(onnx.load(os.path.join(FIXTURES, "tiny-pruned.onnx")))
    assert all(p < f for p, f in zip(pruned.neck_channels, full.neck_channels)), (pruned, full)


def test_output0_equals_onnxruntime(model: onnx.ModelProto) -> None:
    x = _image(model)
    ref = _ort(model, ["output0"], x)["output0"]
    got = _ours(model, ["output0"], x)["output0"]
    assert got.shape == ref.shape
    box, scores = np.abs(got - ref)[:, :4], np.abs(got - ref)[:, 4:]
    assert scores.max() <= TOL, f"class scores differ by {scores.max()}"
    assert box.max() <= TOL_BOX_PIXELS, f"box coordinates (px) differ by {box.max()}"


def test_training_tensors_equal_onnxruntime(model: onnx.ModelProto) -> None:
    """Only the subgraph the requested tensors need is run (no decode path): the neck and raw head maps."""
    head = find_head(model)
    names = head.neck + head.box + head.cls
    x = _image(model)
    ref = _ort(model, names, x)
    got = _ours(model, names, x)
    assert list(got) == names
    for n in names:
        assert got[n].shape == ref[n].shape, n
        diff = float(np.abs(got[n] - ref[n]).max())
        assert diff <= TOL, f"{n}: max abs difference {diff}"
