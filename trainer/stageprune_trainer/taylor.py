"""First-order Taylor channel importance (Molchanov et al., CVPR 2019): per output channel of every Conv,
(Σ over the channel's BN scale/shift — or, without BN, its conv weights and bias — of param × gradient)²,
averaged over batches. Written as the JSON file the pruning engine's `taylor` criterion reads (format in
trainer/README.md)."""

from __future__ import annotations

import json
import os

import onnx
import torch

from .onnx_module import OnnxModule


def conv_bn_pairs(model: onnx.ModelProto) -> list[dict[str, str | None]]:
    """Each Conv with initializer weights, and the BatchNormalization that directly follows it (if any)."""
    inits = {t.name for t in model.graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for n in model.graph.node:
        for t in n.input:
            consumers.setdefault(t, []).append(n)
    out = []
    for n in model.graph.node:
        if n.op_type != "Conv" or len(n.input) < 2 or n.input[1] not in inits:
            continue
        users = consumers.get(n.output[0], [])
        bn = users[0] if len(users) == 1 and users[0].op_type == "BatchNormalization" else None
        out.append({"conv": n.name, "weight": n.input[1], "bias": n.input[2] if len(n.input) > 2 and n.input[2] else None,
                    "bn": bn.name if bn else None, "bn_scale": bn.input[1] if bn else None, "bn_bias": bn.input[2] if bn else None})
    return out


class TaylorAccumulator:
    def __init__(self, model: onnx.ModelProto, module: OnnxModule):
        self.pairs = [p for p in conv_bn_pairs(model) if p["weight"] in module.trainable_names]
        self.module = module
        self.sums: dict[str, torch.Tensor] = {}
        self.batches = 0
        self.images = 0

    @torch.no_grad()
    def accumulate(self, batch_images: int) -> None:
        m = self.module
        for p in self.pairs:
            if p["bn"] and p["bn_scale"] in m.trainable_names:
                terms = [p["bn_scale"], p["bn_bias"]]
            else:
                terms = [p["weight"]] + ([p["bias"]] if p["bias"] else [])
            score = None
            for name in terms:
                t = m.tensor(name)
                if t.grad is None:
                    continue
                s = (t * t.grad).reshape(t.shape[0], -1).sum(1)
                score = s if score is None else score + s
            if score is not None:
                key = str(p["conv"])
                self.sums[key] = self.sums.get(key, torch.zeros_like(score)) + score.float().pow(2).cpu()
        self.batches += 1
        self.images += batch_images

    def write(self, path: str, model_sha256: str, loss_terms: list[str]) -> None:
        """`path`: the flat map the pruning engine reads (runtime/pruning/taylor-scores.ts),
        { "<Conv node name>": [score per output channel] }. `path + ".meta.json"`: how they were made."""
        scores = {str(p["conv"]): [float(v) for v in (self.sums[str(p["conv"])] / max(self.batches, 1)).tolist()]
                  for p in self.pairs if str(p["conv"]) in self.sums}
        meta = {"format": "stageprune-taylor-scores", "version": 1, "criterion": "taylor-first-order",
                "formula": "mean over batches of (sum over the channel's BN gamma/beta (or conv weight/bias) of p*dL/dp)^2",
                "model_sha256": model_sha256, "loss": loss_terms, "batches": self.batches, "images": self.images,
                "layers": {str(p["conv"]): {"bn": p["bn"], "weight": p["weight"]} for p in self.pairs
                           if str(p["conv"]) in self.sums}}
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        for target, doc in ((path, scores), (path + ".meta.json", meta)):
            tmp = target + ".tmp"
            with open(tmp, "w") as f:
                json.dump(doc, f)
            os.replace(tmp, target)
