"""The training loop shared by `train` (detection loss) and `finetune` (detection and/or distillation
from a teacher): seeded data, SGD/AdamW with ultralytics' warmup and LR schedule (schedule.py), gradient
accumulation to a nominal batch, EMA, AMP on CUDA, checkpoints every N steps and on SIGTERM, exact-step resume."""

from __future__ import annotations

import math
import os
import re
import time
from typing import Any

import numpy as np
import onnx
import torch

from . import checkpoint as ckpt
from .augment import AugmentConfig
from .datasets import load_dataset
from .device import resolve_device
from .distill import Adapters, cwd_loss, output_distill_loss
from .ema import Ema
from .errors import DatasetError, DivergedError, InputError, ModelError
from .loader import DetectionData, batches_for_epoch, make_loader
from .loss_detect import DetectionLoss, DetectionLossConfig
from .onnx_module import OnnxModule, load_model, write_back
from .progress import emit
from .schedule import accumulate_at, group_lr_momentum, lr_factor, warmup_steps
from .signals import install as install_signal_handlers
from .signals import stop as _stop
from .taylor import TaylorAccumulator
from .yolo_head import HeadSpec, class_names, find_head, stamp_class_names

class Run:
    def __init__(self, job: dict[str, Any]):
        self.job = job
        if job["threads"]:
            torch.set_num_threads(job["threads"])
        torch.manual_seed(job["seed"])
        np.random.seed(job["seed"])
        # `cuda` without a CUDA device fails here, before anything is loaded; `auto` may fall back to the CPU,
        # and the `start` and `done` events say so.
        self.resolved = resolve_device(job["device"])
        self.device = self.resolved.device
        self.amp = bool(job["amp"]) and self.device.type == "cuda"
        # Fixed input sizes: let cuDNN pick the fastest convolution algorithms once (CPU runs stay deterministic).
        torch.backends.cudnn.benchmark = self.device.type == "cuda"
        self.pin = self.device.type == "cuda"  # page-locked batches: the copy to the GPU is asynchronous
        torch.use_deterministic_algorithms(self.device.type == "cpu", warn_only=True)

        self.student_proto = load_model(job["model"])
        self.head = find_head(self.student_proto, job["head"])
        self.teacher_proto: onnx.ModelProto | None = None
        self.t_head: HeadSpec | None = None
        if job["mode"] == "finetune":
            self.teacher_proto = load_model(job["teacher"])
            self.t_head = find_head(self.teacher_proto, None)
            if self.t_head.nc != self.head.nc:
                raise InputError(f"student has {self.head.nc} classes, teacher has {self.t_head.nc}: they must match",
                                 "CLASS_COUNT_MISMATCH")
            if self.t_head.reg_max != self.head.reg_max:
                raise InputError("student and teacher differ in reg_max", "HEAD_MISMATCH")
        self.use_det = bool(job["labels"])
        self.use_cwd = bool(job["cwd"]["enabled"])
        self.out_w = float(job["output_distill"]["weight"])
        # CWD on the head's raw maps (class logits, box distributions): same channels in student and teacher.
        self.head_cwd_w = float(job["cwd"]["head_weight"])
        need_head = self.use_det or self.out_w > 0 or self.head_cwd_w > 0
        s_neck = job["cwd"]["student"] or self.head.neck
        t_neck = job["cwd"]["teacher"] or (self.t_head.neck if self.t_head else [])
        if self.use_cwd and (not s_neck or len(s_neck) != len(t_neck)):
            raise ModelError(f"CWD needs as many student as teacher feature tensors ({len(s_neck)} vs {len(t_neck)})")
        self.s_neck, self.t_neck = s_neck, t_neck
        s_outs = (self.head.box + self.head.cls if need_head else []) + (s_neck if self.use_cwd else [])
        # Channels-last (NHWC) weights and activations: oneDNN's convolutions run ~12% faster on this CPU for
        # yolov8n at 416 (measured 17.4 -> 19.5 images/s, 2 threads); cuDNN prefers it under AMP too.
        self.memory_format = torch.channels_last
        self.student = OnnxModule(self.student_proto, list(dict.fromkeys(s_outs))).to(self.device, memory_format=self.memory_format)
        self.teacher: OnnxModule | None = None
        if self.teacher_proto is not None and self.t_head is not None:
            t_head_outs = self.t_head.box + self.t_head.cls if self.out_w > 0 or self.head_cwd_w > 0 else []
            t_outs = (t_neck if self.use_cwd else []) + t_head_outs
            self.teacher = OnnxModule(self.teacher_proto, list(dict.fromkeys(t_outs))).to(
                self.device, memory_format=self.memory_format).eval()
            for p in self.teacher.parameters():
                p.requires_grad_(False)

        # one dry forward: feature shapes, strides and adapter channel counts
        imgsz = job["imgsz"]
        self.student.eval()
        with torch.no_grad():
            x = torch.zeros(1, 3, imgsz, imgsz, device=self.device)
            so = self.student(x)
            to = self.teacher(x) if self.teacher is not None else {}
        self.strides = [imgsz / so[t].shape[2] for t in self.head.box] if need_head else [8.0, 16.0, 32.0]
        s_ch = [int(so[t].shape[1]) for t in s_neck] if self.use_cwd else []
        t_ch = [int(to[t].shape[1]) for t in t_neck] if self.use_cwd else []
        if self.use_cwd:
            for a, b in zip(s_neck, t_neck):
                if so[a].shape[2:] != to[b].shape[2:]:
                    raise ModelError(f"CWD feature '{a}' {tuple(so[a].shape[2:])} and teacher '{b}' "
                                     f"{tuple(to[b].shape[2:])} differ in spatial size")
        self.adapters = Adapters(s_ch, t_ch).to(self.device)
        self.adapter_shapes = [[a, b] for a, b in zip(s_ch, t_ch)]
        cw = job["cwd"]["weight"]
        self.cwd_w = [float(cw)] * len(s_neck) if not isinstance(cw, list) else [float(v) for v in cw]
        if self.use_cwd and len(self.cwd_w) != len(s_neck):
            raise InputError(f"cwd.weight has {len(self.cwd_w)} entries for {len(s_neck)} levels", "JOB_INVALID")

        # data
        names = job["data"]["names"]
        meta = class_names(self.student_proto)
        if names is None and meta and not all(re.fullmatch(r"\d+", n) for n in meta):
            names = meta
        self.dataset = load_dataset(job["data"], names)
        if self.use_det and len(self.dataset.names) > self.head.nc:
            raise DatasetError(f"the dataset has {len(self.dataset.names)} classes {self.dataset.names}, "
                               f"the model only {self.head.nc}", "CLASS_COUNT_MISMATCH")
        if self.use_det and not any(len(s.boxes) for s in self.dataset.samples):
            raise DatasetError("labels are required but no image has a usable box", "DATASET_NO_LABELS")
        a = job["augment"]
        self.data = DetectionData(self.dataset, imgsz, AugmentConfig(**a), job["seed"],
                                  mosaic_until_epoch=max(job["epochs"] - a["close_mosaic"], 0))
        n = len(self.dataset.samples)
        self.batch = min(job["batch"], n)
        self.nb = len(batches_for_epoch(n, self.batch, job["seed"], 0))
        self.total = job["epochs"] * self.nb
        if job["max_steps"] is not None:
            self.total = min(self.total, job["max_steps"])

        # loss, optimizer, EMA
        lc = job["loss"]
        self.det_loss = DetectionLoss(self.head.nc, self.head.reg_max, self.strides,
                                      DetectionLossConfig(box=lc["box"], cls=lc["cls"], dfl=lc["dfl"], topk=lc["topk"],
                                                          min_side=lc["min_side"]))
        self.l1 = float(job["sparsity"]["l1"])
        self.bn_scales = [self.student.tensor(nm) for nm in self._bn_scale_names()]
        o = job["optimizer"]
        self.accumulate = max(round(o["nbs"] / self.batch), 1)
        wd = o["weight_decay"] * self.batch * self.accumulate / o["nbs"]
        self.accumulate = min(self.accumulate, self.total) if self.total else self.accumulate
        self.warmup = warmup_steps(o["warmup_epochs"], job["epochs"], self.nb)
        decay, no_decay_bn, bias = [], [], []
        bn_scale_set = set(self._bn_scale_names())
        for name, p in self.student.named_onnx_parameters():
            (no_decay_bn if name in bn_scale_set else decay if p.dim() > 1 else bias).append(p)
        for p in self.adapters.parameters():
            (decay if p.dim() > 1 else bias).append(p)
        groups = [{"params": no_decay_bn, "weight_decay": 0.0}, {"params": decay, "weight_decay": wd},
                  {"params": bias, "weight_decay": 0.0}]
        if o["name"] == "sgd":
            self.opt = torch.optim.SGD(groups, lr=o["lr0"], momentum=o["momentum"], nesterov=True)
        else:
            self.opt = torch.optim.AdamW(groups, lr=o["lr0"], betas=(o["momentum"], 0.999))
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp)
        self.ema = Ema(self.student.onnx_state(), job["ema_decay"], job["ema_tau"]) if job["ema"] else None
        self.identity = {
            "model_sha256": ckpt.file_sha256(job["model"]),
            "teacher_sha256": ckpt.file_sha256(job["teacher"]) if job["teacher"] else None,
            "mode": job["mode"],
            "signature": self.student.signature(),
            "batches_per_epoch": self.nb,
            "adapters": self.adapter_shapes,
        }
        # Teacher outputs per sample, when inputs repeat every epoch (no augmentation): see _teacher_outputs.
        cache_ok = self.teacher is not None and job["cwd"]["cache_teacher"] and not job["augment"]["enabled"]
        self.teacher_cache: dict[int, dict[str, torch.Tensor]] | None = {} if cache_ok else None
        self.teacher_forwards = 0
        self.step = 0
        self.last_opt_step = -1  # the step index of the last optimiser step (ultralytics' last_opt_step)
        self.optimizer_steps = 0
        self.finished = False
        self.last_checkpoint: str | None = None
        self.ckpt_dir = os.path.join(job["out"], "checkpoints")

    def _bn_scale_names(self) -> list[str]:
        return [n.inputs[1] for n in self.student.nodes if n.op == "BatchNormalization"
                and n.inputs[1] in self.student.trainable_names]

    # -- schedule -------------------------------------------------------------------------------------
    def _schedule(self, step: int) -> None:
        o = self.job["optimizer"]
        base = o["lr0"] * lr_factor(step // self.nb, self.job["epochs"], o["lrf"], o["cos_lr"])
        for j, g in enumerate(self.opt.param_groups):
            start = o["warmup_bias_lr"] if j == 2 else 0.0
            g["lr"], momentum = group_lr_momentum(step, self.warmup, base, start, o["momentum"], o["warmup_momentum"])
            if "momentum" in g:
                g["momentum"] = momentum

    # -- loss -----------------------------------------------------------------------------------------
    def loss(self, images: torch.Tensor, targets: torch.Tensor,
             samples: list[int] | None = None) -> tuple[torch.Tensor, dict[str, float]]:
        x = (images.to(self.device, non_blocking=True).float() / 255).contiguous(memory_format=self.memory_format)
        parts: dict[str, float] = {}
        with torch.autocast(self.device.type, enabled=self.amp):
            so = self.student(x)
            to: dict[str, torch.Tensor] = {}
            if self.teacher is not None:
                to = self._teacher_outputs(x, samples)
        total = torch.zeros((), device=self.device)
        if self.use_det:
            det, items = self.det_loss([so[t].float() for t in self.head.box], [so[t].float() for t in self.head.cls],
                                       targets, (x.shape[2], x.shape[3]))
            total = total + det
            parts.update(box=float(items[0]), cls=float(items[1]), dfl=float(items[2]))
        if self.use_cwd:
            feats = self.adapters([so[t].float() for t in self.s_neck])
            cwd = sum(w * cwd_loss(f, to[t].float(), self.job["cwd"]["tau"]) for w, f, t in zip(self.cwd_w, feats, self.t_neck))
            total = total + cwd
            parts["cwd"] = float(cwd.detach())
        if self.head_cwd_w > 0 and self.t_head is not None:
            pairs = list(zip(self.head.box + self.head.cls, self.t_head.box + self.t_head.cls))
            hcwd = self.head_cwd_w * sum(cwd_loss(so[s].float(), to[t].float(), self.job["cwd"]["tau"]) for s, t in pairs)
            total = total + hcwd
            parts["cwd_head"] = float(hcwd.detach())
        if self.out_w > 0 and self.t_head is not None:
            od = self.out_w * output_distill_loss([so[t].float() for t in self.head.box], [so[t].float() for t in self.head.cls],
                                                  [to[t].float() for t in self.t_head.box], [to[t].float() for t in self.t_head.cls],
                                                  self.head.reg_max, self.job["output_distill"]["tau"])
            total = total + od
            parts["output"] = float(od.detach())
        if self.l1 > 0 and self.bn_scales:
            l1 = self.l1 * sum(g.abs().sum() for g in self.bn_scales)
            total = total + l1
            parts["l1"] = float(l1.detach())
        parts["total"] = float(total.detach())
        return total, parts

    def _teacher_outputs(self, x: torch.Tensor, samples: list[int] | None) -> dict[str, torch.Tensor]:
        """The teacher's forward pass, or its cached outputs for these samples. Without augmentation an image
        is the same tensor every epoch, so the teacher (frozen) gives the same outputs: they are computed once
        per sample and kept on the device (cwd.cache_teacher; off when augmenting)."""
        assert self.teacher is not None
        cache = self.teacher_cache
        if cache is not None and samples is not None and all(i in cache for i in samples):
            return {k: torch.stack([cache[i][k] for i in samples]) for k in cache[samples[0]]}
        self.teacher_forwards += 1
        with torch.no_grad():
            out = self.teacher(x)
        if cache is None or samples is None:
            return out
        for j, i in enumerate(samples):
            cache[i] = {k: v[j].detach() for k, v in out.items()}
        return out

    # -- checkpoints ----------------------------------------------------------------------------------
    def save_checkpoint(self) -> str:
        path = os.path.join(self.ckpt_dir, f"step-{self.step:09d}.pt")
        grads = {n: p.grad.detach().cpu() for n, p in self.student.named_onnx_parameters() if p.grad is not None}
        agrads = {n: p.grad.detach().cpu() for n, p in self.adapters.named_parameters() if p.grad is not None}
        ckpt.save(path, {
            "identity": self.identity,
            "step": self.step,
            "last_opt_step": self.last_opt_step,
            "optimizer_steps": self.optimizer_steps,
            "student": self.student.onnx_state(),
            "adapters": {k: v.cpu() for k, v in self.adapters.state_dict().items()},
            "ema": self.ema.state if self.ema else None,
            "ema_updates": self.ema.updates if self.ema else 0,
            "optimizer": self.opt.state_dict(),
            "scaler": self.scaler.state_dict(),
            "grads": grads,
            "adapter_grads": agrads,
        }, self.job["keep_checkpoints"])
        self.last_checkpoint = path
        return path

    def resume(self, path: str) -> None:
        ck = ckpt.load(path)
        ckpt.check_compatible(ck, self.identity, path)
        self.student.load_onnx_state(ck["student"])
        self.adapters.load_state_dict(ck["adapters"])
        if self.ema and ck.get("ema") is not None:
            self.ema = Ema(ck["ema"], self.ema.decay, self.ema.tau, updates=int(ck["ema_updates"]))
        self.opt.load_state_dict(ck["optimizer"])
        # A disabled scaler (CPU, or amp off) saves {}; loading {} into an enabled one raises, so a CPU
        # checkpoint resumed on CUDA starts a fresh scaler and its window's gradients are rescaled to it.
        if ck["scaler"] or not self.amp:
            self.scaler.load_state_dict(ck["scaler"])
        k = ckpt.grad_rescale(ck["scaler"], self.amp, self.scaler.get_scale())
        for n, p in self.student.named_onnx_parameters():
            if n in ck["grads"]:
                p.grad = ck["grads"][n].to(p.device) * k
        for n, p in self.adapters.named_parameters():
            if n in ck["adapter_grads"]:
                p.grad = ck["adapter_grads"][n].to(p.device) * k
        self.step = int(ck["step"])
        # checkpoints from before the ramped accumulation stepped on every `accumulate`-th batch
        self.last_opt_step = int(ck.get("last_opt_step", self.step // self.accumulate * self.accumulate - 1))
        self.optimizer_steps = int(ck.get("optimizer_steps", self.step // self.accumulate))
        self.last_checkpoint = path
        emit("resumed", checkpoint=path, step=self.step)

    # -- the loop ---------------------------------------------------------------------------------------
    def train(self) -> str:
        job = self.job
        emit("start", mode=job["mode"], **self.resolved.event_fields(), amp=self.amp, images=len(self.dataset.samples),
             classes=self.dataset.names, dropped_boxes=self.dataset.dropped_boxes, batch=self.batch,
             accumulate=self.accumulate, batches_per_epoch=self.nb, steps=self.total, start_step=self.step,
             strides=self.strides, nc=self.head.nc, adapters=self.adapter_shapes,
             losses=[k for k, on in (("detection", self.use_det), ("cwd", self.use_cwd), ("cwd_head", self.head_cwd_w > 0),
                                     ("output", self.out_w > 0),
                                     ("l1", self.l1 > 0)) if on])
        install_signal_handlers()
        window: dict[str, float] = {}
        seen, batches, t_window, t_start, start_step = 0, 0, time.time(), time.time(), self.step
        self.images_seen = 0
        self.student.train()
        while self.step < self.total and not _stop["signal"]:
            epoch, offset = divmod(self.step, self.nb)
            keys = batches_for_epoch(len(self.dataset.samples), self.batch, job["seed"], epoch)[offset:]
            keys = keys[: self.total - self.step]
            for batch_keys, (images, targets) in zip(keys, make_loader(self.data, keys, job["workers"], self.pin)):
                if _stop["signal"]:
                    break
                self._schedule(self.step)
                total, parts = self.loss(images, targets, [index for _, index in batch_keys])
                if not math.isfinite(parts["total"]):
                    raise DivergedError(f"loss is {parts['total']} at step {self.step}; last good checkpoint: "
                                        f"{self.last_checkpoint}")
                self.scaler.scale(total).backward()
                ni, self.step = self.step, self.step + 1
                if ni - self.last_opt_step >= accumulate_at(ni, self.warmup, self.accumulate) or self.step == self.total:
                    self.last_opt_step = ni
                    self.optimizer_steps += 1
                    self.scaler.unscale_(self.opt)
                    params = [p for g in self.opt.param_groups for p in g["params"]]
                    if job["optimizer"]["clip_norm"] > 0:
                        torch.nn.utils.clip_grad_norm_(params, max_norm=job["optimizer"]["clip_norm"])
                    self.scaler.step(self.opt)
                    self.scaler.update()
                    self.opt.zero_grad(set_to_none=True)
                    if self.ema:
                        self.ema.update(self.student.onnx_state())
                for k, v in parts.items():
                    window[k] = window.get(k, 0.0) + v
                seen += images.shape[0]
                batches += 1
                self.images_seen += images.shape[0]
                if self.step % job["checkpoint_every"] == 0 and self.step < self.total:
                    self.save_checkpoint()
                if self.step % job["log_every"] == 0 or self.step == self.total:
                    now = time.time()
                    ips = seen / max(now - t_window, 1e-9)
                    rate = (self.step - start_step) / max(now - t_start, 1e-9)
                    emit("progress", step=self.step, steps=self.total, epoch=self.step / self.nb,
                         epochs=job["epochs"], loss={k: v / max(batches, 1) for k, v in window.items()},
                         lr=self.opt.param_groups[1]["lr"], images_per_s=ips,
                         eta_s=(self.total - self.step) / max(rate, 1e-9), checkpoint=self.last_checkpoint)
                    window, seen, batches, t_window = {}, 0, 0, now
        self.train_seconds = time.time() - t_start
        if _stop["signal"]:
            path = self.save_checkpoint()
            emit("interrupted", signal=int(_stop["signal"]), step=self.step, checkpoint=path)
            return path
        return self.finish()

    def finish(self) -> str:
        job = self.job
        path = self.save_checkpoint() if self.total > 0 else None
        state = self.ema.state if self.ema else self.student.onnx_state()
        out_model = os.path.join(job["out"], "model.onnx")
        os.makedirs(job["out"], exist_ok=True)
        tmp = out_model + ".tmp"
        trained = write_back(self.student_proto, state)
        # With labels, the data set's classes are what the head learnt: name them in the model.
        if self.use_det:
            stamp_class_names(trained, self.dataset.names, self.head.nc)
        onnx.save(trained, tmp)
        os.replace(tmp, out_model)
        taylor_path = None
        if job["taylor"]:
            if self.ema:
                self.student.load_onnx_state(self.ema.state)
            taylor_path = self.taylor(job["taylor"]["out"], job["taylor"]["batches"])
        self.finished = True
        # Images and seconds of this process's step loop (startup, export and Taylor excluded): its throughput.
        emit("done", model=out_model, checkpoint=path, steps=self.step, optimizer_steps=self.optimizer_steps,
             epochs=self.step / self.nb,
             taylor=taylor_path, images_seen=self.images_seen, train_seconds=round(self.train_seconds, 3),
             teacher_forwards=self.teacher_forwards, **self.resolved.event_fields())
        return out_model

    def taylor(self, path: str, batches: int) -> str:
        acc = TaylorAccumulator(self.student_proto, self.student)
        plain = DetectionData(self.dataset, self.job["imgsz"], AugmentConfig(enabled=False), self.job["seed"])
        keys = batches_for_epoch(len(self.dataset.samples), self.batch, self.job["seed"], 10**6)
        keys = (keys * (batches // len(keys) + 1))[:batches]
        self.student.eval()  # running statistics, so the scores do not depend on batch composition
        for images, targets in make_loader(plain, keys, self.job["workers"], self.pin):
            self.opt.zero_grad(set_to_none=True)
            total, _ = self.loss(images, targets)
            total.backward()
            acc.accumulate(images.shape[0])
        self.opt.zero_grad(set_to_none=True)
        terms = [k for k, on in (("detection", self.use_det), ("cwd", self.use_cwd), ("output", self.out_w > 0)) if on]
        acc.write(path, self.identity["model_sha256"], terms)
        return path
