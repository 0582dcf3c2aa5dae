"""Part (a) of bench/gpu-check.sh: Python only (the trainer, two models and BCCD; no Node, no onnxruntime).

1. A short fine-tune (the pruned model distilled from the base, CWD + detection loss) on the device with AMP,
   through the real trainer subprocess, and the same fine-tune on this machine's CPU for a few steps: images/s
   of each and their ratio.
2. Latency of the base and the -50% FLOPs pruned model through the trainer's ONNX->torch module (OnnxModule,
   up to the Detect head's raw outputs: the convolutions, >99% of the FLOPs; the decode path bakes batch 1),
   fp32 and fp16, batch 1/8/32: the realized speed-up of the pruned model divided by its FLOPs factor.

Writes one JSON file (bench/gpu-check/schema.ts: gpuCheckPythonSchema). --dry-run --device cpu is the quick
CPU path CI runs (8 images at 128 px, 2 steps; batches 1 and 2; no fp16 on the CPU).

    python bench/gpu-check/gpu_check_python.py --out FILE [--device cuda|cpu] [--dry-run]
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TRAINER = os.path.join(ROOT, "trainer")
MANIFEST = os.path.join(HERE, "models.json")
BCCD = os.path.join(ROOT, "datasets", "bccd")
BUDGET_S = 7 * 60  # the part must finish within 8 minutes; what is still due after this is skipped


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def finetune(device: str, dry: bool, steps: int, workers: int, errors: list[str]) -> dict[str, Any] | None:
    """Runs the trainer (python -m stageprune_trainer) and returns its throughput from its events."""
    manifest = json.load(open(MANIFEST))
    imgsz, batch = (128, 4) if dry else (manifest["imgsz"], 32)
    with tempfile.TemporaryDirectory(prefix="stageprune-gpu-check-") as work:
        data: dict[str, Any] = {"format": "voc", "root": BCCD, "splits": ["trainval"]}
        if dry:
            data["limit"] = 8
        job = {
            "mode": "finetune",
            "model": os.path.join(ROOT, manifest["pruned"]["file"]),
            "teacher": os.path.join(ROOT, manifest["base"]["file"]),
            "out": os.path.join(work, "out"),
            "data": data,
            "imgsz": imgsz,
            "batch": batch,
            # enough epochs for `steps` (BCCD trainval: 292 images, 9 batches of 32)
            "epochs": max(1, -(-steps * batch // 292) + 1),
            "max_steps": steps,
            "device": device,
            "amp": True,
            "workers": workers,
            "log_every": 1 if steps <= 5 else 10,
            "checkpoint_every": 10**6,
            "keep_checkpoints": 1,
        }
        job_file = os.path.join(work, "job.json")
        with open(job_file, "w") as f:
            json.dump(job, f)
        env = {**os.environ, "PYTHONPATH": TRAINER + os.pathsep + os.environ.get("PYTHONPATH", "")}
        r = subprocess.run([sys.executable, "-m", "stageprune_trainer", job_file], cwd=TRAINER, env=env,
                           capture_output=True, text=True, timeout=BUDGET_S)
        events = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
        done = next((e for e in events if e.get("event") == "done"), None)
        start = next((e for e in events if e.get("event") == "start"), None)
        if r.returncode != 0 or done is None or start is None:
            err = next((e for e in events if e.get("event") == "error"), None)
            why = err["message"] if err else (r.stderr.strip().splitlines() or ["no output"])[-1]
            errors.append(f"fine-tune on {device}: trainer exit {r.returncode}: {why}")
            return None
        windows = [e["images_per_s"] for e in events if e.get("event") == "progress"][1:]
        return {
            "device": device,
            "amp": bool(start["amp"]),
            "imgsz": imgsz,
            "batch": int(start["batch"]),
            "workers": workers,
            "steps": int(done["steps"]),
            "images": int(done["images_seen"]),
            "seconds": float(done["train_seconds"]),
            "images_per_s": done["images_seen"] / done["train_seconds"],
            "images_per_s_steady": statistics.fmean(windows) if windows else None,
        }


def latency(torch: Any, device: str, dry: bool, deadline: float, errors: list[str]) -> list[dict[str, Any]]:
    """Median/p90 latency of both models' convolutional graphs at each precision and batch."""
    sys.path.insert(0, TRAINER)
    from stageprune_trainer.onnx_module import OnnxModule, load_model
    from stageprune_trainer.yolo_head import find_head

    manifest = json.load(open(MANIFEST))
    imgsz = 128 if dry else manifest["imgsz"]  # a dry run only exercises the path
    batches = [1, 2] if dry else [1, 8, 32]
    warmup, runs = (1, 2) if dry else (10, 50)
    dev = torch.device(device)
    out: list[dict[str, Any]] = []
    for precision in ("fp32", "fp16"):
        for name in ("base", "pruned"):
            if precision == "fp16" and device != "cuda":
                out += [{"ok": False, "model": name, "device": device, "precision": precision, "batch": b,
                         "reason": "fp16 is measured on CUDA only (CPU convolutions in half precision are not a deployment target)"}
                        for b in batches]
                continue
            proto = load_model(os.path.join(ROOT, manifest[name]["file"]))
            head = find_head(proto, None)
            dtype = torch.float16 if precision == "fp16" else torch.float32
            module = OnnxModule(proto, head.box + head.cls).to(dev, dtype=dtype, memory_format=torch.channels_last).eval()
            for b in batches:
                if time.time() > deadline:
                    out.append({"ok": False, "model": name, "device": device, "precision": precision, "batch": b,
                                "reason": "skipped: over the time budget"})
                    continue
                try:
                    x = torch.full((b, 3, imgsz, imgsz), 114 / 255, device=dev, dtype=dtype)
                    x = x.contiguous(memory_format=torch.channels_last)
                    samples = []
                    with torch.inference_mode():
                        for _ in range(warmup):
                            module(x)
                        for _ in range(runs):
                            if device == "cuda":
                                torch.cuda.synchronize()
                            t0 = time.perf_counter()
                            module(x)
                            if device == "cuda":
                                torch.cuda.synchronize()
                            samples.append((time.perf_counter() - t0) * 1000)
                    samples.sort()
                    median = statistics.median(samples)
                    p90 = samples[min(len(samples) - 1, -(-9 * len(samples) // 10) - 1)]
                    out.append({"ok": True, "model": name, "device": device, "precision": precision, "batch": b,
                                "runs": runs, "median_ms": median, "p90_ms": p90, "images_per_s": b * 1000 / median})
                except Exception as e:  # noqa: BLE001 - one failed setting is recorded, the others still run
                    errors.append(f"latency {name} {precision} batch {b}: {type(e).__name__}: {e}")
                    out.append({"ok": False, "model": name, "device": device, "precision": precision, "batch": b,
                                "reason": f"{type(e).__name__}: {e}"[:500]})
            del module
    return out


def speedups(rows: list[dict[str, Any]], flops_factor: float) -> list[dict[str, Any]]:
    res = []
    for b in rows:
        if not b["ok"] or b["model"] != "base":
            continue
        p = next((r for r in rows if r["ok"] and r["model"] == "pruned" and r["precision"] == b["precision"]
                  and r["batch"] == b["batch"] and r["device"] == b["device"]), None)
        if p is None:
            continue
        s = b["median_ms"] / p["median_ms"]
        res.append({"device": b["device"], "precision": b["precision"], "batch": b["batch"], "base_ms": b["median_ms"],
                    "pruned_ms": p["median_ms"], "speedup": s, "flops_factor": flops_factor,
                    "efficiency": s / flops_factor})
    return res


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.time()
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    errors: list[str] = []
    result: dict[str, Any] = {
        "schema": "stageprune-gpu-check-python", "version": 1, "mode": "dry-run" if args.dry_run else "full",
        "status": "failed", "started_at": started, "seconds": 0.0,
        "environment": {"python": platform.python_version(), "torch": None, "cuda": None, "device": args.device,
                        "gpu": None, "cpu_count": os.cpu_count() or 1},
        "models": None,
        "finetune": {"device": None, "cpu": None, "speedup_vs_cpu": None},
        "latency": [], "speedup": [], "errors": errors,
    }

    def write() -> None:
        result["seconds"] = time.time() - t0
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")

    missing = []
    for mod in ("torch", "onnx", "numpy", "PIL"):
        try:
            __import__(mod)
        except ImportError:
            missing.append(mod)
    if missing:
        errors.append(f"missing Python modules: {', '.join(missing)} (the trainer needs torch, onnx, numpy, pillow)")
        write()
        return 2
    import torch

    env = result["environment"]
    env["torch"] = torch.__version__
    env["cuda"] = torch.version.cuda
    if args.device == "cuda":
        if not torch.cuda.is_available():
            errors.append(f"CUDA is not available to torch {torch.__version__} (built for CUDA {torch.version.cuda})")
            write()
            return 3
        p = torch.cuda.get_device_properties(0)
        env["gpu"] = {"name": p.name, "memory_mib": p.total_memory // (1 << 20)}
        torch.backends.cudnn.benchmark = True

    manifest = json.load(open(MANIFEST))
    models = {"imgsz": manifest["imgsz"], "flops_factor": manifest["flops_factor"]}
    for name in ("base", "pruned"):
        entry = dict(manifest[name])
        actual = sha256(os.path.join(ROOT, entry["file"]))
        if actual != entry["sha256"]:
            # The base model may have been retrained since the manifest: FLOPs (structure) still hold.
            errors.append(f"{entry['file']}: sha256 {actual} differs from models.json (FLOPs are structural and still apply)")
            entry["sha256"] = actual
        models[name] = entry
    result["models"] = models
    deadline = t0 + BUDGET_S
    workers = 0 if args.dry_run else min(8, max((os.cpu_count() or 1) - 1, 0))
    try:
        if args.dry_run:
            result["finetune"]["device"] = finetune(args.device, True, 2, workers, errors)
        else:
            result["finetune"]["device"] = finetune(args.device, False, 50, workers, errors)
            if args.device == "cuda":
                result["finetune"]["cpu"] = finetune("cpu", False, 3, workers, errors)
        d, c = result["finetune"]["device"], result["finetune"]["cpu"]
        if d and c:
            rate = lambda r: r["images_per_s_steady"] or r["images_per_s"]  # noqa: E731
            result["finetune"]["speedup_vs_cpu"] = rate(d) / rate(c)
    except Exception as e:  # noqa: BLE001 - recorded; latency still runs
        errors.append(f"fine-tune: {type(e).__name__}: {e}")
        traceback.print_exc()
    try:
        result["latency"] = latency(torch, args.device, args.dry_run, deadline, errors)
        result["speedup"] = speedups(result["latency"], models["flops_factor"])
    except Exception as e:  # noqa: BLE001
        errors.append(f"latency: {type(e).__name__}: {e}")
        traceback.print_exc()
    measured = bool(result["finetune"]["device"]) or any(r["ok"] for r in result["latency"])
    skipped = any(not r["ok"] for r in result["latency"]) or result["finetune"]["device"] is None
    result["status"] = "failed" if not measured else "partial" if errors or skipped else "ok"
    write()
    print(f"gpu-check python: {result['status']}; wrote {args.out} ({result['seconds']:.1f} s)")
    return 0 if measured else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
