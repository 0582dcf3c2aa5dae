"""Dev check (AGPL tools, never a product or CI dependency): Torch-Pruning's YOLOv8 recipe applied to one of
our train-form ONNX models, written back as a train-form ONNX our trainer and evaluator accept.

The recipe (Torch-Pruning examples/yolov8): C2f replaced by C2f_v2 (cv1 split in two so both halves prune),
Detect ignored, L2 group-norm importance (GroupMagnitudeImportance(p=2)), one uniform per-layer ratio. The
ratio is found by bisection so that the FLOPs reduction at the model's input size matches --flops-reduction
(Torch-Pruning's own op counter). Weights come from the ONNX initializers, which carry ultralytics'
state_dict names; the forward pass of the rebuilt model is checked against onnxruntime before pruning.

    /work/devvenv/bin/python tools/dev-checks/torch-pruning-recipe.py --model models/yolov8n-bccd.onnx \
        --flops-reduction 0.5 --out tmp/tp/pruned.onnx [--round 8] [--arch yolov8n]
"""

import argparse
import copy
import importlib.util
import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")


def load_c2f_v2():
    """C2f_v2 and the C2f replacement, shared with torch-pruning-compare.py."""
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("tp_compare", os.path.join(here, "torch-pruning-compare.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.c2f_v2_classes()


def rebuild(onnx_model, arch: str, nc: int):
    """An ultralytics DetectionModel with the ONNX model's weights, matched by state_dict name."""
    import torch
    from onnx import numpy_helper
    from ultralytics.nn.tasks import DetectionModel

    model = DetectionModel(f"{arch}.yaml", nc=nc, verbose=False)
    weights = {i.name: numpy_helper.to_array(i) for i in onnx_model.graph.initializer}
    state = model.state_dict()
    missing = []
    for k, v in state.items():
        if k.endswith("num_batches_tracked"):
            continue
        if k not in weights:
            missing.append(k)
            continue
        if tuple(weights[k].shape) != tuple(v.shape):
            raise SystemExit(f"{k}: ONNX {weights[k].shape} vs ultralytics {tuple(v.shape)}")
        state[k] = torch.from_numpy(weights[k].copy())
    # The DFL conv is a fixed arange in both; anything else missing means the names do not line up.
    missing = [k for k in missing if not k.endswith("dfl.conv.weight")]
    if missing:
        raise SystemExit(f"weights missing from the ONNX model: {missing[:8]}")
    model.load_state_dict(state)
    return model.eval()


def flops(model, imgsz: int) -> float:
    import torch
    import torch_pruning as tp

    macs, _ = tp.utils.count_ops_and_params(model, torch.zeros(1, 3, imgsz, imgsz))
    return float(macs)


def prune(model, ratio: float, imgsz: int, round_to: int):
    import torch
    import torch_pruning as tp
    from ultralytics.nn.modules import Detect

    for p in model.parameters():
        p.requires_grad_(True)
    pruner = tp.pruner.MetaPruner(
        model,
        torch.zeros(1, 3, imgsz, imgsz),
        importance=tp.importance.GroupMagnitudeImportance(p=2),
        pruning_ratio=ratio,
        ignored_layers=[m for m in model.modules() if isinstance(m, Detect)],
        round_to=round_to,
    )
    pruner.step()
    return model


def inline_identity_initializers(model) -> None:
    """The exporter shares equal tensors through Identity nodes; BN folding and our surgery need each
    parameter as its own initializer, so each Identity of an initializer becomes a copy of it."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    for n in [n for n in g.node if n.op_type == "Identity" and n.input[0] in inits]:
        copy_ = g.initializer.add()
        copy_.CopyFrom(inits[n.input[0]])
        copy_.name = n.output[0]
        g.node.remove(n)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--flops-reduction", type=float, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--arch", default=None, help="ultralytics yaml stem; default: the model's stageprune_arch")
    ap.add_argument("--round", type=int, default=None, help="round_to; default none, as the recipe")
    ap.add_argument("--tolerance", type=float, default=0.01)
    args = ap.parse_args()

    import numpy as np
    import onnx
    import onnxruntime as ort
    import torch

    base = onnx.load(args.model)
    meta = {p.key: p.value for p in base.metadata_props}
    arch = args.arch or meta.get("stageprune_arch", "yolov8n")
    names = meta.get("names", "{}")
    nc = len(eval(names, {}, {})) if names.startswith("{") else 80  # ultralytics writes a dict literal
    dims = base.graph.input[0].type.tensor_type.shape.dim
    imgsz = int(dims[2].dim_value) or 640

    model = rebuild(base, arch, nc)
    detect = model.model[-1]
    detect.export, detect.format = True, "onnx"  # forward returns the decoded (B, 4+nc, N) tensor only
    x = torch.rand(1, 3, imgsz, imgsz)
    with torch.no_grad():
        ours = model(x)
    sess = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    ref = sess.run(None, {sess.get_inputs()[0].name: x.numpy()})[0]
    err = float(np.abs(ours.numpy() - ref).max())
    if err > 1e-3:
        raise SystemExit(f"rebuilt model differs from the ONNX model by {err}")

    load_c2f_v2()(model)
    before = flops(model, imgsz)
    target = before * (1 - args.flops_reduction)
    lo, hi, best = 0.0, 0.95, None
    for _ in range(14):  # bisection on the uniform ratio; FLOPs fall monotonically with it
        mid = (lo + hi) / 2
        candidate = prune(copy.deepcopy(model), mid, imgsz, args.round)
        f = flops(candidate, imgsz)
        if f > target:
            lo = mid
        else:
            hi, best = mid, (mid, candidate, f)
        if best and abs(best[2] - target) / before < args.tolerance:
            break
    if best is None:
        raise SystemExit("no ratio reaches the FLOPs target")
    ratio, pruned, after = best
    pruned.eval()
    for p in pruned.parameters():
        p.requires_grad_(False)

    # PRESERVE keeps BatchNormalization nodes (EVAL would fold them into the convs): the trainer needs them.
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.onnx.export(
        pruned,
        torch.zeros(1, 3, imgsz, imgsz),
        args.out,
        opset_version=17,
        input_names=["images"],
        output_names=["output0"],
        training=torch.onnx.TrainingMode.PRESERVE,
        do_constant_folding=False,
        dynamo=False,
    )
    out = onnx.load(args.out)
    inline_identity_initializers(out)
    del out.metadata_props[:]
    for k, v in meta.items():
        out.metadata_props.add(key=k, value=v)
    out.metadata_props.add(key="stageprune_source", value=f"torch-pruning recipe ratio={ratio:.4f}")
    onnx.save(out, args.out)
    kinds = {n.op_type for n in out.graph.node}
    if "BatchNormalization" not in kinds:
        raise SystemExit("export folded BatchNormalization; the trainer cannot fine-tune this graph")
    import torch_pruning as tp

    print(
        json.dumps(
            {
                "ratio": round(ratio, 4),
                "flops_before": before,
                "flops_after": after,
                "flops_reduction": round(1 - after / before, 4),
                "params": sum(p.numel() for p in pruned.parameters()),
                "out": args.out,
                "torch_pruning": tp.__version__,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
