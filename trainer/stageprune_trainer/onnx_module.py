"""ONNX -> trainable torch module, and trained weights -> the same ONNX graph.

Our own small interpreter rather than onnx2torch: it keeps every weight keyed by its ONNX initializer
name (so writing back is a lookup, never a module-path guess), exposes any graph tensor as an output,
runs only the subgraph the requested outputs need (the deploy-form decode path with its baked batch-1
Reshapes is skipped during training), and needs no extra dependency. Conv/BatchNormalization/SiLU run
as the same torch kernels an nn.Module would use; Sigmoid→Mul pairs run as one fused SiLU.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from torch import nn

from .errors import ModelError
from .ops import REGISTRY, attributes


@dataclass
class Node:
    op: str
    name: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict[str, Any]


def load_model(path: str) -> onnx.ModelProto:
    try:
        return onnx.load(path)
    except Exception as e:  # noqa: BLE001 - any parse failure is an input error
        raise ModelError(f"cannot read ONNX model {path}: {e}") from e


class OnnxModule(nn.Module):
    """Runs an ONNX graph with torch. Parameters: Conv weights/biases and BatchNormalization scale/bias.
    Buffers: BN running mean/var and other float initializers. `forward(x)` returns {name: tensor} for
    the tensor names given as `outputs`."""

    def __init__(self, model: onnx.ModelProto, outputs: list[str], bn_momentum: float | None = None):
        super().__init__()
        g = model.graph
        self.input_name = g.input[0].name if g.input else "images"
        init = {t.name: t for t in g.initializer}
        graph_inputs = [i.name for i in g.input if i.name not in init]
        if len(graph_inputs) != 1:
            raise ModelError(f"expected one image input, the graph has {graph_inputs}")
        self.input_name = graph_inputs[0]

        all_nodes = [
            Node(n.op_type, n.name or f"{n.op_type}_{i}", list(n.input), list(n.output), attributes(n))
            for i, n in enumerate(g.node)
        ]
        producer = {o: i for i, n in enumerate(all_nodes) for o in n.outputs}
        known = set(producer) | set(init) | {self.input_name}
        for name in outputs:
            if name not in known:
                raise ModelError(f"tensor '{name}' is not in the graph")
        # Only the nodes the requested outputs depend on.
        needed: set[int] = set()
        stack = [producer[o] for o in outputs if o in producer]
        while stack:
            i = stack.pop()
            if i in needed:
                continue
            needed.add(i)
            stack += [producer[t] for t in all_nodes[i].inputs if t in producer]
        self.nodes = [n for i, n in enumerate(all_nodes) if i in needed]
        for n in self.nodes:
            if n.op != "BatchNormalization" and n.op not in REGISTRY:
                raise ModelError(f"op {n.op} (node {n.name}) is not supported by the trainer")
            if n.op == "Split":
                n.attrs["_n_outputs"] = len(n.outputs)

        # Classify initializers by their use.
        trainable: set[str] = set()
        running: dict[str, list[str]] = {}
        for n in self.nodes:
            if n.op == "Conv":
                trainable.update(t for t in n.inputs[1:] if t in init)
            elif n.op == "BatchNormalization":
                trainable.update(t for t in n.inputs[1:3] if t in init)
                for t in n.inputs[3:5]:
                    running.setdefault(t, []).append(n.name)
        for t, users in running.items():
            if len(users) > 1:
                raise ModelError(f"BN running statistic '{t}' is shared by {users}; cannot update them separately")
        used = {t for n in self.nodes for t in n.inputs}
        self.param_names: list[str] = []
        self.buffer_names: list[str] = []
        self._key: dict[str, str] = {}
        self.params = nn.ParameterDict()
        self.consts: dict[str, torch.Tensor] = {}  # integer initializers, kept on the CPU
        for name, t in init.items():
            if name not in used:
                continue
            arr = torch.from_numpy(numpy_helper.to_array(t).copy())
            if name in trainable:
                key = f"p{len(self.param_names)}"
                self.params[key] = nn.Parameter(arr.float())
                self.param_names.append(name)
            elif arr.is_floating_point():
                key = f"b{len(self.buffer_names)}"
                self.register_buffer(key, arr.float())
                self.buffer_names.append(name)
            else:
                self.consts[name] = arr
                continue
            self._key[name] = key
        self.trainable_names = set(self.param_names)
        self.running_names = set(running)

        # BN settings; momentum in torch's convention (weight of the new batch statistic).
        self.bn: dict[str, tuple[float, float]] = {}
        for n in self.nodes:
            if n.op == "BatchNormalization":
                eps = float(n.attrs.get("epsilon", 1e-5))
                mom = 1.0 - float(n.attrs.get("momentum", 0.9)) if bn_momentum is None else bn_momentum
                self.bn[n.name] = (eps, mom)

        # Sigmoid(x) -> Mul(x, s) pairs become one SiLU when the sigmoid output has no other use.
        consumers: dict[str, int] = {}
        for n in self.nodes:
            for t in n.inputs:
                consumers[t] = consumers.get(t, 0) + 1
        sig_of = {n.outputs[0]: n for n in self.nodes if n.op == "Sigmoid"}
        self._skip: set[str] = set()
        self._silu: dict[str, str] = {}
        for n in self.nodes:
            if n.op == "Mul" and len(n.inputs) == 2:
                for a_, b_ in ((0, 1), (1, 0)):
                    s = sig_of.get(n.inputs[b_])
                    if s and s.inputs[0] == n.inputs[a_] and consumers[n.inputs[b_]] == 1 and n.inputs[b_] not in outputs:
                        self._silu[n.name] = n.inputs[a_]
                        self._skip.add(s.name)
                        break
        self.outputs = list(outputs)

    # -- tensor access by ONNX name -------------------------------------------------------------------
    def tensor(self, name: str) -> torch.Tensor:
        key = self._key[name]
        return self.params[key] if key.startswith("p") else getattr(self, key)

    def named_onnx_parameters(self) -> list[tuple[str, nn.Parameter]]:
        return [(n, self.params[self._key[n]]) for n in self.param_names]

    def onnx_state(self) -> dict[str, torch.Tensor]:
        """Every parameter and BN running statistic by ONNX initializer name (detached, CPU, fp32)."""
        out = {n: self.tensor(n).detach().float().cpu().clone() for n in self.param_names}
        out.update({n: self.tensor(n).detach().float().cpu().clone() for n in self.running_names})
        return out

    def load_onnx_state(self, state: dict[str, torch.Tensor]) -> None:
        with torch.no_grad():
            for name, value in state.items():
                if name not in self._key:
                    raise ModelError(f"state has '{name}', which is not an initializer of this model")
                dst = self.tensor(name)
                if tuple(dst.shape) != tuple(value.shape):
                    raise ModelError(f"'{name}': shape {tuple(value.shape)} does not match {tuple(dst.shape)}")
                dst.copy_(value.to(dst.device, dst.dtype))

    def signature(self) -> list[tuple[str, list[int]]]:
        """Names and shapes of everything trained: what a checkpoint must match."""
        return [(n, list(self.tensor(n).shape)) for n in sorted(self.param_names + sorted(self.running_names))]

    # -- execution -----------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        env: dict[str, Any] = {self.input_name: x, "": None}
        for n in self.nodes:
            if n.name in self._skip:
                continue
            if n.name in self._silu:
                env[n.outputs[0]] = F.silu(self._value(self._silu[n.name], env))
                continue
            ins = [self._value(t, env) for t in n.inputs]
            if n.op == "BatchNormalization":
                eps, mom = self.bn[n.name]
                outs = [
                    F.batch_norm(ins[0], ins[3], ins[4], ins[1], ins[2], training=self.training, momentum=mom, eps=eps)
                ]
            else:
                outs = REGISTRY[n.op](ins, n.attrs)
            for name, value in zip(n.outputs, outs):
                env[name] = value
        return {o: self._value(o, env) for o in self.outputs}

    def _value(self, name: str, env: dict[str, Any]) -> Any:
        if name in env:
            return env[name]
        if name in self._key:
            return self.tensor(name)
        if name in self.consts:
            return self.consts[name]
        raise ModelError(f"tensor '{name}' has no producer")


def write_back(model: onnx.ModelProto, state: dict[str, torch.Tensor]) -> onnx.ModelProto:
    """A copy of `model` whose initializers named in `state` hold the new values; dtype, shape, order,
    node names and metadata are unchanged."""
    out = copy.deepcopy(model)
    remaining = dict(state)
    for t in out.graph.initializer:
        if t.name not in remaining:
            continue
        value = remaining.pop(t.name)
        old = numpy_helper.to_array(t)
        new = value.detach().cpu().numpy().astype(old.dtype)
        if new.shape != old.shape:
            raise ModelError(f"write-back of '{t.name}': shape {new.shape} != {old.shape}")
        t.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(new), t.name))
    if remaining:
        raise ModelError(f"write-back: {sorted(remaining)[:3]} are not initializers of the model")
    return out
