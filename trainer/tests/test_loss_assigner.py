"""The detection loss (loss_detect.py) and the task-aligned assigner (assigner.py) against reference values that
ultralytics' own v8DetectionLoss and TaskAlignedAssigner computed on the same inputs, stored in
test/fixtures/trainer/v8-loss-reference.npz by tools/dev-checks/make-v8-loss-fixture.py (ultralytics 8.4.190; its
header describes the cases). Only the stored numbers are read here: ultralytics is never imported.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch
from support import FIXTURES

from stageprune_trainer.assigner import TaskAlignedAssigner
from stageprune_trainer.loss_detect import DetectionLoss, DetectionLossConfig

# float32 throughout. Measured: the three terms, every gradient and every assignment equal ultralytics' exactly;
# the total × batch differs by 7.6e-6 of 114.08 (6.7e-8 relative: the order of the final sum). The tolerances
# leave room for another CPU's kernels only.
REL = 1e-6
GRAD_ABS = 1e-7


@pytest.fixture(scope="module")
def ref() -> dict[str, np.ndarray]:
    with np.load(os.path.join(FIXTURES, "v8-loss-reference.npz")) as f:
        return {k: f[k] for k in f.files}


def _loss(ref: dict[str, np.ndarray], case: str, min_side: float | None = None) -> tuple[torch.Tensor, torch.Tensor,
                                                                                        list[torch.Tensor]]:
    """Our loss on the case's stored raw outputs: (total, [box, cls, dfl], the raw output leaves)."""
    meta = json.loads(str(ref["meta"]))
    box = [torch.from_numpy(ref[f"{case}_box_{i}"]).requires_grad_(True) for i in range(3)]
    cls = [torch.from_numpy(ref[f"{case}_cls_{i}"]).requires_grad_(True) for i in range(3)]
    # defaults otherwise (gains 7.5/0.5/1.5, topk 10, the small-box floor = the second stride)
    loss = DetectionLoss(nc=meta["nc"], reg_max=int(ref[f"{case}_reg_max"]), strides=meta["strides"],
                         cfg=DetectionLossConfig(min_side=min_side))
    total, items = loss(box, cls, torch.from_numpy(ref[f"{case}_targets"]), (meta["imgsz"], meta["imgsz"]))
    return total, items, box + cls


def _assign(ref: dict[str, np.ndarray], min_side: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    a = TaskAlignedAssigner(nc=ref["tal_scores"].shape[-1], topk=int(ref["tal_topk"]), alpha=0.5, beta=6.0,
                            min_side=min_side)
    names = ("scores", "boxes", "anchors", "gt_labels", "gt_boxes", "gt_mask")
    return a(*(torch.from_numpy(ref[f"tal_{k}"]) for k in names))


def test_fixture_covers_the_interesting_cases(ref: dict[str, np.ndarray]) -> None:
    meta = json.loads(str(ref["meta"]))
    assert meta["ultralytics"] == "8.4.190"
    t = ref["loss_targets"]
    assert set(t[:, 0].astype(int)) == {0, 1}, "image 2 of 3 has no boxes"
    assert (t[:, 4:6] * meta["imgsz"] < 16).all(1).any(), "a box below the 16 px floor"
    assert 0 < ref["tal_fg"].sum() < ref["tal_fg"].size
    assert (ref["tal_gt_mask"] == 0).any(), "a padding row"
    # the small-box floor decides part of both cases: without it the result differs
    assert not np.allclose(_loss(ref, "loss", min_side=0.0)[1].numpy(), ref["loss_items"], rtol=1e-4)
    assert (_assign(ref, 0.0)[2].numpy() != ref["tal_fg"]).any()


@pytest.mark.parametrize("case", ["loss", "loss4"])
def test_detection_loss_equals_ultralytics(ref: dict[str, np.ndarray], case: str) -> None:
    total, items, leaves = _loss(ref, case)
    total.backward()
    np.testing.assert_allclose(items.numpy(), ref[f"{case}_items"], rtol=REL, err_msg="box, cls, dfl")
    np.testing.assert_allclose(float(total.detach()), float(ref[f"{case}_total"]), rtol=REL, err_msg="total × batch")
    names = [f"{case}_grad_{kind}_{i}" for kind in ("box", "cls") for i in range(3)]
    for name, leaf in zip(names, leaves):
        diff = float(np.abs(leaf.grad.numpy() - ref[name]).max())
        assert diff <= GRAD_ABS, f"{name}: max abs difference {diff}"
    assert any((ref[f"{case}_grad_box_{i}"] != 0).any() for i in range(3)), "the box/DFL terms reach the raw maps"


def test_assigner_equals_ultralytics(ref: dict[str, np.ndarray]) -> None:
    boxes, scores, fg = _assign(ref, float(ref["tal_min_side"]))
    np.testing.assert_array_equal(fg.numpy(), ref["tal_fg"], err_msg="foreground anchors")
    np.testing.assert_array_equal(boxes.numpy(), ref["tal_target_boxes"], err_msg="target boxes")
    np.testing.assert_allclose(scores.numpy(), ref["tal_target_scores"], rtol=REL, atol=1e-7, err_msg="target scores")
