"""Tiny detector-shaped ONNX models for tests (project venv: onnx + numpy, no torch, no ultralytics).

usage: python make-detector.py OUT --imgsz 640 --nc 3 [--boxes JSON] [--kind oracle|classifier] [--fixed-batch N]

oracle: output [B, 4 + nc, N] is a constant for every image: anchor i < len(boxes) carries box i
        ([cx, cy, w, h, class, score] in network-input pixels), every other score is 0. With the image's
        ground truth mapped into the letterbox it is a perfect detector, so end-to-end mAP must be 1.
classifier: output [B, 10], not a detector.
"""
import argparse, json

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--imgsz", type=int, default=640)
ap.add_argument("--nc", type=int, default=3)
ap.add_argument("--boxes", default="[]")
ap.add_argument("--kind", default="oracle")
ap.add_argument("--fixed-batch", type=int, default=0)
ap.add_argument("--names", default="", help="comma-separated class names for ultralytics `names` metadata")
ap.add_argument("--anchors", type=int, default=0, help="override the anchor count (a wrong one makes a non-detector)")
a = ap.parse_args()

s = a.imgsz
n = a.anchors or sum((s // st) ** 2 for st in (8, 16, 32))
batch = a.fixed_batch if a.fixed_batch else "batch"
if a.kind == "oracle":
    const = np.zeros((1, 4 + a.nc, n), dtype=np.float32)
    for i, (cx, cy, w, h, c, score) in enumerate(json.loads(a.boxes)):
        const[0, :4, i] = (cx, cy, w, h)
        const[0, 4 + int(c), i] = score
    out_shape = [batch, 4 + a.nc, n]
else:
    const = np.zeros((1, 10), dtype=np.float32)
    out_shape = [batch, 10]

nodes = [
    helper.make_node("ReduceMean", ["images"], ["mean"], axes=[1, 2, 3], keepdims=1),  # [B, 1, 1, 1]
    helper.make_node("Mul", ["mean", "zero"], ["zeroed"]),
    # oracle: [B, 1, 1] + [1, C, N]; classifier: [B, 1] + [1, 10]
    helper.make_node("Squeeze", ["zeroed", "sq_axes"], ["flat"]),
    helper.make_node("Add", ["flat", "const"], ["output0"]),
]
inits = [
    numpy_helper.from_array(np.zeros((), np.float32), "zero"),
    numpy_helper.from_array(const, "const"),
    numpy_helper.from_array(np.array([3] if a.kind == "oracle" else [2, 3], np.int64), "sq_axes"),
]
graph = helper.make_graph(
    nodes,
    "test-detector",
    [helper.make_tensor_value_info("images", TensorProto.FLOAT, [batch, 3, s, s])],
    [helper.make_tensor_value_info("output0", TensorProto.FLOAT, out_shape)],
    inits,
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
if a.names:
    names = a.names.split(",")
    onnx.helper.set_model_props(model, {"names": "{" + ", ".join(f"{i}: '{n}'" for i, n in enumerate(names)) + "}"})
onnx.checker.check_model(model)
onnx.save(model, a.out)
