"""Finds the tensors the losses need in a YOLOv8 graph by ultralytics' node names: the raw outputs of
Detect's box (cv2.i) and class (cv3.i) branches, and the neck outputs P3/P4/P5 that feed them."""

from __future__ import annotations

import re
from dataclasses import dataclass

import onnx


from .errors import ModelError

_LAST = re.compile(r"^/model\.(\d+)/cv([23])\.(\d+)/cv\2\.\3\.2/Conv$")
_FIRST = re.compile(r"^/model\.(\d+)/cv([23])\.(\d+)/cv\2\.\3\.0/conv/Conv$")


@dataclass(frozen=True)
class HeadSpec:
    detect_module: int
    box: list[str]  # per level, (B, 4*reg_max, H, W)
    cls: list[str]  # per level, (B, nc, H, W)
    neck: list[str]  # per level, the Detect input (P3, P4, P5)
    neck_channels: list[int]
    nc: int
    reg_max: int


def find_head(model: onnx.ModelProto, override: dict[str, list[str]] | None = None) -> HeadSpec:
    g = model.graph
    shapes = {t.name: list(t.dims) for t in g.initializer}
    by_output = {o: n for n in g.node for o in n.output}
    last: dict[tuple[int, str, int], onnx.NodeProto] = {}
    first: dict[tuple[int, str, int], onnx.NodeProto] = {}
    for n in g.node:
        if n.op_type != "Conv":
            continue
        for rx, table in ((_LAST, last), (_FIRST, first)):
            m = rx.match(n.name)
            if m:
                table[(int(m.group(1)), m.group(2), int(m.group(3)))] = n

    def out_channels(tensor: str) -> int:
        node = by_output.get(tensor)
        if node is None or node.op_type != "Conv" or node.input[1] not in shapes:
            raise ModelError(f"head tensor '{tensor}' is not the output of a Conv with an initializer weight")
        return int(shapes[node.input[1]][0])

    def in_channels(tensor: str) -> int:
        for n in g.node:
            if n.op_type == "Conv" and n.input and n.input[0] == tensor and n.input[1] in shapes:
                return int(shapes[n.input[1]][1]) * int(next((a.i for a in n.attribute if a.name == "group"), 1))
        raise ModelError(f"neck tensor '{tensor}' does not feed a Conv")

    if override:
        box, cls, neck = override.get("box", []), override.get("cls", []), override.get("neck", [])
        detect = -1
    else:
        if not last:
            raise ModelError(
                "no YOLOv8 Detect head found (expected Conv nodes named like /model.22/cv2.0/cv2.0.2/Conv); "
                "name the head tensors in the job's 'head' field"
            )
        detect = max(k[0] for k in last)
        levels = sorted({k[2] for k in last if k[0] == detect})
        try:
            box = [last[(detect, "2", i)].output[0] for i in levels]
            cls = [last[(detect, "3", i)].output[0] for i in levels]
        except KeyError as e:
            raise ModelError(f"Detect head (module {detect}) lacks a branch: {e}") from e
        neck = [first[(detect, "2", i)].input[0] for i in levels if (detect, "2", i) in first]
    if len(box) != len(cls) or not box:
        raise ModelError("the head needs as many box as class tensors, at least one")
    reg4 = {out_channels(t) for t in box}
    ncs = {out_channels(t) for t in cls}
    if len(reg4) != 1 or len(ncs) != 1 or next(iter(reg4)) % 4:
        raise ModelError(f"inconsistent head channels: box {reg4}, cls {ncs}")
    return HeadSpec(
        detect_module=detect,
        box=box,
        cls=cls,
        neck=neck,
        neck_channels=[in_channels(t) for t in neck],
        nc=next(iter(ncs)),
        reg_max=next(iter(reg4)) // 4,
    )


def class_names(model: onnx.ModelProto) -> list[str] | None:
    """`names` from ultralytics-style metadata_props ("{0: 'RBC', 1: 'WBC'}"), if present."""
    for p in model.metadata_props:
        if p.key == "names":
            found = re.findall(r"(\d+)\s*:\s*['\"]([^'\"]*)['\"]", p.value)
            if found:
                return [name for _, name in sorted(found, key=lambda kv: int(kv[0]))]
    return None




def stamp_class_names(model: onnx.ModelProto, names: list[str], nc: int) -> bool:
    """Writes the class order a model was trained in as ultralytics' `names` metadata (a Python dict literal,
    what its exporter writes and AutoBackend reads), so predictions are labelled "RBC", not "1". Indices the
    data set does not name keep the model's own name, else their number. Returns whether it wrote."""
    if not names or len(names) > nc:
        return False
    own = class_names(model) or []
    full = [names[i] if i < len(names) else own[i] if i < len(own) else str(i) for i in range(nc)]
    value = str(dict(enumerate(full)))
    for p in model.metadata_props:
        if p.key == "names":
            p.value = value
            return True
    model.metadata_props.add(key="names", value=value)
    return True
