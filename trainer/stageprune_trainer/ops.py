"""Torch implementations of the ONNX ops our YOLOv8 graphs use (train-form and deploy-form, ours and
ultralytics'). One function per op type behind a registry; BatchNormalization is handled by the module
itself because it owns the running statistics. Integer shape arithmetic stays on the CPU."""

from __future__ import annotations

import math

from typing import Any, Callable

import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

from .errors import ModelError

Tensor = torch.Tensor
OpFn = Callable[[list[Any], dict[str, Any]], list[Tensor]]

ONNX_TO_TORCH_DTYPE = {
    onnx.TensorProto.FLOAT: torch.float32,
    onnx.TensorProto.FLOAT16: torch.float16,
    onnx.TensorProto.BFLOAT16: torch.bfloat16,
    onnx.TensorProto.DOUBLE: torch.float64,
    onnx.TensorProto.INT64: torch.int64,
    onnx.TensorProto.INT32: torch.int32,
    onnx.TensorProto.INT8: torch.int8,
    onnx.TensorProto.UINT8: torch.uint8,
    onnx.TensorProto.BOOL: torch.bool,
}

REGISTRY: dict[str, OpFn] = {}


def register(op_type: str) -> Callable[[OpFn], OpFn]:
    def deco(fn: OpFn) -> OpFn:
        if op_type in REGISTRY:
            raise RuntimeError(f"op {op_type} registered twice")
        REGISTRY[op_type] = fn
        return fn

    return deco


def attributes(node: onnx.NodeProto) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for a in node.attribute:
        if a.type == onnx.AttributeProto.TENSOR:
            out[a.name] = torch.from_numpy(numpy_helper.to_array(a.t).copy())
        else:
            out[a.name] = onnx.helper.get_attribute_value(a)
            if isinstance(out[a.name], bytes):
                out[a.name] = out[a.name].decode()
    return out


def ints(t: Any) -> list[int]:
    if t is None:
        return []
    if isinstance(t, torch.Tensor):
        return [int(v) for v in t.flatten().tolist()]
    return [int(v) for v in t]


def _conv_padding(pads: list[int], nd: int) -> tuple[list[int] | None, list[int]]:
    """Returns (F.pad list or None, symmetric padding for the conv/pool call)."""
    if not pads:
        return None, [0] * nd
    begin, end = pads[:nd], pads[nd:]
    if begin == end:
        return None, begin
    pad: list[int] = []
    for i in reversed(range(nd)):
        pad += [begin[i], end[i]]
    return pad, [0] * nd


@register("Conv")
def conv(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    x, w = inputs[0], inputs[1]
    b = inputs[2] if len(inputs) > 2 else None
    if a.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
        raise ModelError(f"Conv auto_pad={a['auto_pad']} is not supported")
    nd = w.dim() - 2
    if nd != 2:
        raise ModelError(f"only 2-D Conv is supported, got {nd}-D")
    extra, pad = _conv_padding(ints(a.get("pads")), nd)
    if extra is not None:
        x = F.pad(x, extra)
    return [
        F.conv2d(
            x,
            w,
            b,
            stride=ints(a.get("strides")) or 1,
            padding=pad,
            dilation=ints(a.get("dilations")) or 1,
            groups=int(a.get("group", 1)),
        )
    ]


@register("Sigmoid")
def sigmoid(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    return [torch.sigmoid(inputs[0])]


@register("Mul")
def mul(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    return [inputs[0] * inputs[1]]


@register("Add")
def add(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    return [inputs[0] + inputs[1]]


@register("Sub")
def sub(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    return [inputs[0] - inputs[1]]


@register("Div")
def div(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    x, y = inputs
    if not x.is_floating_point() and not y.is_floating_point():
        return [torch.div(x, y, rounding_mode="trunc")]
    return [x / y]


@register("Concat")
def concat(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    xs = [t for t in inputs if t is not None and t.numel() > 0] or [inputs[0]]
    if len({t.device for t in xs}) > 1:  # shape tensors on the CPU next to a CUDA tensor
        xs = [t.to(xs[0].device) for t in xs]
    return [torch.cat(xs, dim=int(a["axis"]))]


@register("Split")
def split(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    x = inputs[0]
    axis = int(a.get("axis", 0))
    sizes = ints(inputs[1]) if len(inputs) > 1 and inputs[1] is not None else ints(a.get("split"))
    n_out = int(a["_n_outputs"])
    if not sizes:
        n = x.shape[axis]
        if "num_outputs" in a:
            chunk = -(-n // int(a["num_outputs"]))
            sizes = [min(chunk, n - i * chunk) for i in range(int(a["num_outputs"]))]
        else:
            sizes = [n // n_out] * n_out
    return list(torch.split(x, sizes, dim=axis))


@register("Slice")
def slice_(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    x = inputs[0]
    if len(inputs) > 1:
        starts, ends = ints(inputs[1]), ints(inputs[2])
        axes = ints(inputs[3]) if len(inputs) > 3 and inputs[3] is not None else list(range(len(starts)))
        steps = ints(inputs[4]) if len(inputs) > 4 and inputs[4] is not None else [1] * len(starts)
    else:
        starts, ends = ints(a["starts"]), ints(a["ends"])
        axes = ints(a.get("axes")) or list(range(len(starts)))
        steps = [1] * len(starts)
    index: list[Any] = [slice(None)] * x.dim()
    for s, e, ax, st in zip(starts, ends, axes, steps):
        if st <= 0:
            raise ModelError("Slice with a non-positive step is not supported")
        index[ax % x.dim()] = slice(s, e, st)
    return [x[tuple(index)]]


@register("MaxPool")
def maxpool(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    x = inputs[0]
    k = ints(a["kernel_shape"])
    extra, pad = _conv_padding(ints(a.get("pads")), len(k))
    if extra is not None:
        x = F.pad(x, extra, value=float("-inf"))
    return [
        F.max_pool2d(
            x,
            k,
            stride=ints(a.get("strides")) or k,
            padding=pad,
            dilation=ints(a.get("dilations")) or 1,
            ceil_mode=bool(a.get("ceil_mode", 0)),
        )
    ]


@register("Resize")
def resize(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    x = inputs[0]
    scales = inputs[2] if len(inputs) > 2 and inputs[2] is not None and inputs[2].numel() > 0 else None
    sizes = inputs[3] if len(inputs) > 3 and inputs[3] is not None and inputs[3].numel() > 0 else None
    mode = a.get("mode", "nearest")
    ctm = a.get("coordinate_transformation_mode", "half_pixel")
    if sizes is not None:
        size = ints(sizes)[2:]
        kw: dict[str, Any] = {"size": size}
    elif scales is not None:
        sc = [float(v) for v in scales.flatten().tolist()]
        if sc[0] != 1 or sc[1] != 1:
            raise ModelError("Resize over batch or channel axes is not supported")
        kw = {"scale_factor": sc[2:]}
    else:
        raise ModelError("Resize without scales or sizes")
    if mode == "nearest":
        if a.get("nearest_mode", "round_prefer_floor") == "floor" or ctm == "asymmetric":
            return [F.interpolate(x, mode="nearest", **kw)]
        return [F.interpolate(x, mode="nearest-exact", **kw)]
    if mode == "linear":
        return [F.interpolate(x, mode="bilinear", align_corners=(ctm == "align_corners"), **kw)]
    raise ModelError(f"Resize mode {mode} is not supported")


@register("Reshape")
def reshape(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    x = inputs[0]
    shape = ints(inputs[1])
    if not int(a.get("allowzero", 0)):
        shape = [x.shape[i] if s == 0 else s for i, s in enumerate(shape)]
    # Static exports bake batch 1 into view shapes (YOLO11 attention: [1, heads, width, H*W]); a training
    # batch holds B images, so a leading 1 that cannot be right for this input becomes B.
    if shape and shape[0] == 1 and x.dim() > 0 and x.shape[0] > 1:
        known = math.prod(s for s in shape if s != -1)
        if -1 in shape or known * x.shape[0] == x.numel():
            shape = [x.shape[0], *shape[1:]]
    return [x.reshape(shape)]


@register("MatMul")
def matmul(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    return [torch.matmul(inputs[0], inputs[1])]


@register("Transpose")
def transpose(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    x = inputs[0]
    perm = ints(a.get("perm")) or list(reversed(range(x.dim())))
    return [x.permute(perm)]


@register("Softmax")
def softmax(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    return [torch.softmax(inputs[0], dim=int(a.get("axis", -1)))]


@register("Gather")
def gather(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    x, idx = inputs
    axis = int(a.get("axis", 0)) % max(x.dim(), 1)
    idx = idx.to(torch.int64)
    flat = torch.where(idx < 0, idx + x.shape[axis], idx).flatten().to(x.device)
    out = x.index_select(axis, flat)
    return [out.reshape(tuple(x.shape[:axis]) + tuple(idx.shape) + tuple(x.shape[axis + 1 :]))]


@register("Shape")
def shape(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    s = list(inputs[0].shape)
    start, end = int(a.get("start", 0)), a.get("end")
    s = s[start:] if end is None else s[start : int(end)]
    return [torch.tensor(s, dtype=torch.int64)]


@register("Unsqueeze")
def unsqueeze(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    x = inputs[0]
    axes = ints(inputs[1]) if len(inputs) > 1 and inputs[1] is not None else ints(a.get("axes"))
    rank = x.dim() + len(axes)
    for ax in sorted(v % rank for v in axes):
        x = x.unsqueeze(ax)
    return [x]


@register("Constant")
def constant(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    if "value" in a:
        return [a["value"]]
    if "value_float" in a:
        return [torch.tensor(float(a["value_float"]))]
    if "value_floats" in a:
        return [torch.tensor([float(v) for v in a["value_floats"]])]
    if "value_int" in a:
        return [torch.tensor(int(a["value_int"]), dtype=torch.int64)]
    if "value_ints" in a:
        return [torch.tensor(ints(a["value_ints"]), dtype=torch.int64)]
    raise ModelError("Constant with an unsupported value attribute")


@register("Identity")
def identity(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    return [inputs[0]]


@register("Cast")
def cast(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    to = int(a["to"])
    if to not in ONNX_TO_TORCH_DTYPE:
        raise ModelError(f"Cast to ONNX type {to} is not supported")
    return [inputs[0].to(ONNX_TO_TORCH_DTYPE[to])]


@register("Expand")
def expand(inputs: list[Any], a: dict[str, Any]) -> list[Tensor]:
    x = inputs[0]
    target = torch.broadcast_shapes(tuple(x.shape), tuple(ints(inputs[1])))
    return [x.expand(target)]
