"""DEV-ONLY check: our YOLOv8 detection loss against ultralytics' v8DetectionLoss on identical inputs.

ultralytics is AGPL and never a product or CI dependency; run this with a separate development venv:
    /tmp/devref/venv/bin/python tools/dev-checks/compare-v8-loss.py
It builds yolov8 (random init, offline), runs a forward pass in training mode, feeds the same raw head
outputs and targets to both losses, and prints the per-term and gradient differences as one JSON line.
Two more checks ride along (same dev-only dependency):
  --converter   our ONNX->torch interpreter against the ultralytics torch model it was exported from
                (train-form: unfused, BN kept; deploy-form: fused), on the decoded output0
  --throughput  one training step (forward, loss, backward, SGD) of yolov8n nc=3: ultralytics' module and
                loss vs our interpreted ONNX and our loss, same batch, same threads
"""

from __future__ import annotations

import json
import os
import sys
from types import SimpleNamespace

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "trainer"))
from stageprune_trainer.loss_detect import DetectionLoss  # noqa: E402
from ultralytics.nn.tasks import DetectionModel  # noqa: E402
from ultralytics.utils.loss import v8DetectionLoss  # noqa: E402


def targets_for(batch: int, gen: torch.Generator) -> torch.Tensor:
    rows = []
    for i in range(batch):
        n = 0 if i == batch - 1 else int(torch.randint(1, 12, (1,), generator=gen))  # last image: no boxes
        for _ in range(n):
            cx, cy = torch.rand(2, generator=gen).tolist()
            w, h = (torch.rand(2, generator=gen) * 0.4 + 0.01).tolist()
            rows.append([i, int(torch.randint(0, 3, (1,), generator=gen)), cx, cy, w, h])
    rows.append([0, 1, 0.5, 0.5, 0.004, 0.003])  # a tiny box (below the 16 px floor)
    t = torch.tensor(rows, dtype=torch.float32)
    return t[torch.argsort(t[:, 0], stable=True)]  # collated order: ultralytics expects rows grouped by image


def ultralytics_model(nc: int = 3) -> DetectionModel:
    model = DetectionModel("yolov8n.yaml", nc=nc, verbose=False)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():  # non-trivial BN statistics so that folding and BN handling are exercised
        for k, v in model.state_dict().items():
            if v.is_floating_point() and ("bn" in k):
                v.copy_(v + torch.rand(v.shape, generator=gen) * 0.5)
    return model.eval()


def export(model: torch.nn.Module, path: str, imgsz: int) -> None:
    det = model.model[-1]
    det.export, det.format = True, "onnx"
    torch.onnx.export(model, torch.zeros(1, 3, imgsz, imgsz), path, opset_version=17, input_names=["images"],
                      output_names=["output0"], do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE, dynamo=False)
    det.export = False


def check_converter() -> None:
    import copy
    import tempfile

    import onnx
    from stageprune_trainer.onnx_module import OnnxModule

    torch.manual_seed(0)
    out = []
    for form in ("train", "deploy"):
        model = ultralytics_model()
        if form == "deploy":
            model = copy.deepcopy(model).fuse(verbose=False)
        with tempfile.TemporaryDirectory() as d:
            f = os.path.join(d, "m.onnx")
            export(model, f, 320)
            proto = onnx.load(f)
        ops = sorted({n.op_type for n in proto.graph.node})
        ours = OnnxModule(proto, ["output0"]).eval()
        x = torch.rand(1, 3, 320, 320)
        with torch.no_grad():
            ref = model(x)[0]
            got = ours(x)["output0"]
        out.append({"form": form, "batchnorm_nodes": sum(n.op_type == "BatchNormalization" for n in proto.graph.node),
                    "ops": ops, "max_abs_diff_output0": float((ref - got).abs().max()),
                    "max_abs_output0": float(ref.abs().max())})
    print(json.dumps({"check": "onnx-converter-parity", "results": out}))


def check_throughput(imgsz: int = 320, batch: int = 8, steps: int = 7) -> None:
    import tempfile
    import time

    import onnx
    from stageprune_trainer.onnx_module import OnnxModule
    from stageprune_trainer.yolo_head import find_head

    threads = torch.get_num_threads()
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(batch, 3, imgsz, imgsz, generator=gen)
    t = targets_for(batch, gen)
    batch_d = {"batch_idx": t[:, 0], "cls": t[:, 1:2], "bboxes": t[:, 2:6]}

    def once(step) -> float:
        t0 = time.perf_counter()
        step()
        return time.perf_counter() - t0

    um = ultralytics_model()
    um.args = SimpleNamespace(box=7.5, cls=0.5, dfl=1.5)
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, "m.onnx")
        export(um, f, imgsz)
        proto = onnx.load(f)
    um.train()
    for p in um.parameters():
        p.requires_grad_(True)
    ul_loss = v8DetectionLoss(um)
    opt_u = torch.optim.SGD(um.parameters(), lr=1e-3, momentum=0.9)

    def ul_step() -> None:
        opt_u.zero_grad()
        loss, _ = ul_loss(um(x), batch_d)
        loss.sum().backward()
        opt_u.step()

    head = find_head(proto)
    ours = OnnxModule(proto, head.box + head.cls).train()
    our_loss = DetectionLoss(head.nc, head.reg_max, [8.0, 16.0, 32.0])
    opt_o = torch.optim.SGD(ours.parameters(), lr=1e-3, momentum=0.9)

    def our_step() -> None:
        opt_o.zero_grad()
        o = ours(x)
        loss, _ = our_loss([o[n] for n in head.box], [o[n] for n in head.cls], t, (imgsz, imgsz))
        loss.backward()
        opt_o.step()

    for _ in range(2):  # warm-up: first steps pay allocator and kernel-selection costs
        ul_step()
        our_step()
    # interleave single steps so that load from other processes on a shared CPU hits both alike; medians
    times = [(once(ul_step), once(our_step)) for _ in range(steps)]
    a = batch / sorted(t[0] for t in times)[len(times) // 2]
    b = batch / sorted(t[1] for t in times)[len(times) // 2]
    print(json.dumps({"check": "train-step-throughput", "imgsz": imgsz, "batch": batch, "threads": threads,
                      "steps": steps, "ultralytics_images_per_s": round(a, 2), "ours_images_per_s": round(b, 2),
                      "ratio_ultralytics_over_ours": round(a / b, 3)}))


def main() -> None:
    if "--converter" in sys.argv:
        return check_converter()
    if "--throughput" in sys.argv:
        return check_throughput()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(1)
    report = []
    for scale, imgsz, batch in (("n", 320, 4), ("n", 640, 2)):
        model = DetectionModel("yolov8n.yaml", nc=3, verbose=False)
        model.args = SimpleNamespace(box=7.5, cls=0.5, dfl=1.5)
        model.train()
        x = torch.rand(batch, 3, imgsz, imgsz, generator=gen)
        preds = model(x)
        feats = preds["feats"]
        sizes = [f.shape[2] * f.shape[3] for f in feats]
        boxes = preds["boxes"].detach().requires_grad_(True)
        scores = preds["scores"].detach().requires_grad_(True)
        t = targets_for(batch, gen)
        batch_d = {"batch_idx": t[:, 0], "cls": t[:, 1:2], "bboxes": t[:, 2:6]}
        ul = v8DetectionLoss(model)
        ul_total, ul_items = ul({"boxes": boxes, "scores": scores, "feats": feats}, batch_d)
        ul_total.sum().backward()

        b2 = boxes.detach().clone().requires_grad_(True)
        s2 = scores.detach().clone().requires_grad_(True)
        per_box = [c.reshape(batch, -1, f.shape[2], f.shape[3]) for c, f in zip(b2.split(sizes, 2), feats)]
        per_cls = [c.reshape(batch, -1, f.shape[2], f.shape[3]) for c, f in zip(s2.split(sizes, 2), feats)]
        ours = DetectionLoss(nc=3, reg_max=16, strides=model.stride.tolist())
        our_total, our_items = ours(per_box, per_cls, t, (imgsz, imgsz))
        our_total.backward()
        ul_vec = torch.stack([v if torch.is_tensor(v) else torch.tensor(v) for v in (ul_items.values() if isinstance(ul_items, dict) else ul_items)]).float()
        report.append({
            "imgsz": imgsz,
            "batch": batch,
            "targets": int(t.shape[0]),
            "ultralytics": [round(float(v), 6) for v in ul_vec],
            "ours": [round(float(v), 6) for v in our_items],
            "max_abs_diff_terms": float((ul_vec - our_items).abs().max()),
            "abs_diff_total": float((ul_total.sum() - our_total).detach().abs()),
            "max_abs_diff_grad_boxes": float((boxes.grad - b2.grad).abs().max()),
            "max_abs_diff_grad_scores": float((scores.grad - s2.grad).abs().max()),
        })
    print(json.dumps({"check": "v8-detection-loss-parity", "results": report}))


if __name__ == "__main__":
    main()
