"""Dev check (AGPL tools, never a product or CI dependency): stageprune vs Torch-Pruning on the same YOLOv8.

Torch-Pruning's YOLOv8 recipe (examples/yolov8): the Detect module ignored, L2 group-norm importance
(GroupMagnitudeImportance(p=2)), one uniform ratio, one step. The same ultralytics model (random init,
offline from yolov8X.yaml) is exported to ONNX (deploy-form) and pruned by stageprune with the same ratio,
criterion l2 and Detect left alone (modules model.22 = 0). Prints per-conv output channels of both results and
the wall time of each to analyse and prune (model construction and export excluded).

    /tmp/devref/venv/bin/python tools/dev-checks/torch-pruning-compare.py --size x --ratio 0.5 [--round 8]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")


def c2f_v2_classes():
    """Torch-Pruning's YOLOv8 example replaces C2f (whose chunk it cannot prune) with C2f_v2: cv1 split into two
    convs cv0/cv1, weights transferred. Reproduced here from the example's published code."""
    import torch
    import torch.nn as nn
    from ultralytics.nn.modules import Bottleneck, C2f, Conv

    class C2f_v2(nn.Module):
        def __init__(self, c1, c2, n=1, shortcut=False, g=1, e=0.5):
            super().__init__()
            self.c = int(c2 * e)
            self.cv0 = Conv(c1, self.c, 1, 1)
            self.cv1 = Conv(c1, self.c, 1, 1)
            self.cv2 = Conv((2 + n) * self.c, c2, 1)
            self.m = nn.ModuleList(Bottleneck(self.c, self.c, shortcut, g, k=((3, 3), (3, 3)), e=1.0) for _ in range(n))

        def forward(self, x):
            y = [self.cv0(x), self.cv1(x)]
            y.extend(m(y[-1]) for m in self.m)
            return self.cv2(torch.cat(y, 1))

    def transfer(c2f, v2):
        v2.cv2 = c2f.cv2
        v2.m = c2f.m
        sd = c2f.state_dict()
        sd2 = v2.state_dict()
        w = sd["cv1.conv.weight"]
        half = w.shape[0] // 2
        sd2["cv0.conv.weight"], sd2["cv1.conv.weight"] = w[:half], w[half:]
        for k in ["weight", "bias", "running_mean", "running_var"]:
            b = sd[f"cv1.bn.{k}"]
            sd2[f"cv0.bn.{k}"], sd2[f"cv1.bn.{k}"] = b[:half], b[half:]
        for k in sd:
            if not k.startswith("cv1."):
                sd2[k] = sd[k]
        for attr in ("f", "i", "type", "np"):
            if hasattr(c2f, attr):
                setattr(v2, attr, getattr(c2f, attr))
        v2.load_state_dict(sd2)

    def replace(module):
        for name, child in module.named_children():
            if isinstance(child, C2f):
                v2 = C2f_v2(child.cv1.conv.in_channels, child.cv2.conv.out_channels, n=len(child.m), shortcut=child.m[0].add)
                transfer(child, v2)
                setattr(module, name, v2)
            else:
                replace(child)

    return replace


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="x")
    ap.add_argument("--ratio", type=float, default=0.5)
    ap.add_argument("--round", type=int, default=8)
    ap.add_argument("--out", default=None, help="write the comparison JSON here")
    args = ap.parse_args()

    import onnx
    import torch
    import torch_pruning as tp
    from ultralytics import YOLO
    from ultralytics.nn.modules import Detect

    torch.manual_seed(0)
    work = tempfile.mkdtemp(prefix="tp-compare-")
    yolo = YOLO(f"yolov8{args.size}.yaml")
    here = os.getcwd()
    os.chdir(work)  # the exporter writes yolov8X.onnx into the working directory
    onnx_path = os.path.abspath(yolo.export(format="onnx", imgsz=640, opset=17, simplify=True))
    os.chdir(here)
    # The exporter fuses BN in a deep copy: yolo.model is still the unfused model with the same weights.
    model = yolo.model
    model.eval()
    c2f_v2_classes()(model)
    for p in model.parameters():
        p.requires_grad_(True)
    example = torch.randn(1, 3, 640, 640)
    ignored = [m for m in model.modules() if isinstance(m, Detect)]

    t0 = time.perf_counter()
    pruner = tp.pruner.MetaPruner(
        model,
        example,
        importance=tp.importance.GroupMagnitudeImportance(p=2),
        pruning_ratio=args.ratio,
        ignored_layers=ignored,
        round_to=args.round,
    )
    t1 = time.perf_counter()
    pruner.step()
    t2 = time.perf_counter()
    tp_channels = {
        name: m.out_channels for name, m in model.named_modules() if isinstance(m, torch.nn.Conv2d)
    }

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    pruned_path = os.path.join(work, "ours.onnx")
    cmd = [
        "npx", "tsx", "bench/prune-yolov8x.ts", "--model", onnx_path, "--ratio", str(args.ratio),
        "--criterion", "l2", "--runs", "1", "--out", pruned_path,
        "--plan-extra", json.dumps({"modules": {"model.22": 0}, "round_to": args.round}),
    ]
    ours = json.loads(subprocess.run(cmd, cwd=root, check=True, capture_output=True, text=True).stdout)
    g = onnx.load(pruned_path).graph
    inits = {i.name: i for i in g.initializer}
    our_channels = {}
    for n in g.node:
        if n.op_type == "Conv" and n.input[1] in inits:
            # /model.2/cv1/conv/Conv -> model.2.cv1.conv
            # /model.22/cv2.0/cv2.0.0/conv/Conv -> model.22.cv2.0.0.conv (exporter scopes repeat Sequential names)
            name = n.name.strip("/").rsplit("/", 1)[0].replace("/", ".")
            our_channels[re.sub(r"(cv\d\.\d)\.\1", r"\1", name)] = inits[n.input[1]].dims[0]

    # C2f_v2's cv0 + cv1 are our (unsplit) cv1.
    for name in [n for n in tp_channels if n.endswith(".cv0.conv")]:
        cv1 = name.replace(".cv0.conv", ".cv1.conv")
        tp_channels[cv1] = tp_channels.pop(name) + tp_channels[cv1]
    rows = []
    for name, c in tp_channels.items():
        rows.append({"conv": name, "torch_pruning": c, "stageprune": our_channels.get(name)})
    result = {
        "size": args.size,
        "ratio": args.ratio,
        "round_to": args.round,
        "torch_pruning_ms": {"dependency_graph": round((t1 - t0) * 1000), "step": round((t2 - t1) * 1000), "total": round((t2 - t0) * 1000)},
        "torch_pruning_params": sum(p.numel() for p in model.parameters()),
        "stageprune_ms": {"graph_and_groups": ours["graphAndGroupsMs"], "analyse_and_prune": ours["analyseAndPruneMs"]},
        "layers": rows,
        "differing": [r for r in rows if r["torch_pruning"] != r["stageprune"]],
        "versions": {"torch_pruning": tp.__version__, "torch": torch.__version__},
    }
    text = json.dumps(result, indent=1)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
