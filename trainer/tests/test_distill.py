"""The distillation terms (distill.py) against values computed by hand on tiny tensors.

CWD as the trainer defines it (MMRazor's ChannelWiseDivergence): per (image, channel), softmax over the H×W
positions of logits / tau; KL(teacher ‖ student) summed over the positions; summed over images and channels;
× tau² / (N·C).

Output distillation: class logits by BCE against the teacher's sigmoid scores (summed over classes, mean over
anchors); box distributions by KL(teacher ‖ student) of each side's reg_max-bin softmax at tau (mean over the 4
sides), weighted by the teacher's best class score, Σ(w·KL) / max(Σw, 1) × tau².
"""

from __future__ import annotations

import math

import pytest
import torch

from stageprune_trainer.distill import cwd_loss, output_distill_loss

LN3, LN5 = math.log(3), math.log(5)


def _cwd_case(tau: float) -> tuple[torch.Tensor, torch.Tensor]:
    """N=2, C=2, 2×2 positions. Image 0: channel 0 teacher peaked (softmax [1,3,1,1]/6), student flat (1/4 each);
    channel 1 teacher peaked ([1,5,1,1]/8), student flat. Image 1: the student equals the teacher up to a
    per-channel constant (softmax unchanged: KL 0). Logits are × tau so that the softmax at tau is as stated."""
    teacher = torch.zeros(2, 2, 2, 2)
    teacher[0, 0, 0, 1] = LN3 * tau
    teacher[0, 1, 0, 1] = LN5 * tau
    teacher[1] = torch.tensor([[[0.3, -1.2], [2.0, 0.7]], [[-0.5, 0.1], [1.5, -2.2]]])
    student = torch.zeros(2, 2, 2, 2)
    student[1] = teacher[1] + torch.tensor([4.0, -3.0]).view(2, 1, 1)
    return student, teacher


# KL(t ‖ s) = Σ t·ln(t/s). Channel 0: 3·(1/6)·ln((1/6)/(1/4)) + (1/2)·ln((1/2)/(1/4)) = ½·ln(4/3).
# Channel 1: 3·(1/8)·ln((1/8)/(1/4)) + (5/8)·ln((5/8)/(1/4)) = (5/8)·ln(5/2) − (3/8)·ln 2.
KL_IMAGE0 = 0.5 * math.log(4 / 3) + (5 / 8) * math.log(5 / 2) - (3 / 8) * math.log(2)
# The other direction, KL(s ‖ t), which is not CWD:
# channel 0 ¾·ln(3/2) − ¼·ln 2, channel 1 ¾·ln 2 + ¼·ln(2/5).
KL_REVERSED = 0.75 * math.log(1.5) - 0.25 * math.log(2) + 0.75 * math.log(2) + 0.25 * math.log(2 / 5)


@pytest.mark.parametrize("tau", [1.0, 2.0])
def test_cwd_equals_hand_computed_value(tau: float) -> None:
    student, teacher = _cwd_case(tau)
    expected = KL_IMAGE0 * tau**2 / (2 * 2)  # × tau² / (N·C); image 1 adds 0
    got = float(cwd_loss(student, teacher, tau))
    assert got == pytest.approx(expected, rel=1e-6, abs=1e-7)
    assert abs(KL_REVERSED * tau**2 / 4 - expected) > 1e-3, "the case tells the KL's direction apart"


def test_cwd_is_zero_when_student_equals_teacher() -> None:
    t = torch.randn(2, 8, 5, 5, generator=torch.Generator().manual_seed(0)) * 3
    for tau in (0.5, 1.0, 4.0):
        s = t.clone().requires_grad_(True)
        loss = cwd_loss(s, t, tau)
        loss.backward()
        assert abs(float(loss.detach())) < 1e-6
        assert float(s.grad.abs().max()) < 1e-7


def _output_case(tau: float) -> tuple[list[torch.Tensor], ...]:
    """One level, 1 image, 1×2 positions (2 anchors), nc 1, reg_max 2 (box channels: side-major, 2 bins each).
    Teacher: class logits [0, ln 3] (scores ½, ¾), every side's bins [0, 0] (softmax [½, ½]).
    Student: class logits [ln 3, 0]; anchor 0's sides [0, ln 3·tau] (softmax at tau [¼, ¾]); anchor 1's = the
    teacher's."""
    t_cls = torch.tensor([0.0, LN3]).view(1, 1, 1, 2)
    s_cls = torch.tensor([LN3, 0.0]).view(1, 1, 1, 2)
    t_box = torch.zeros(1, 8, 1, 2)
    s_box = torch.zeros(1, 8, 1, 2)
    s_box[0, 1::2, 0, 0] = LN3 * tau
    return [s_box], [s_cls], [t_box], [t_cls]


@pytest.mark.parametrize("tau", [1.0, 2.0])
def test_output_distillation_equals_hand_computed_value(tau: float) -> None:
    # class term, BCE(x, p) = −p·ln σ(x) − (1−p)·ln(1−σ(x)):
    #   anchor 0: x = ln 3 (σ ¾), p ½ → ½·ln(16/3); anchor 1: x = 0 (σ ½) → ln 2 for any p; mean over anchors
    cls = (0.5 * math.log(16 / 3) + math.log(2)) / 2
    # box term: anchor 0, each side KL([½,½] ‖ [¼,¾]) = ½·ln 2 + ½·ln(2/3) = ½·ln(4/3); anchor 1: 0.
    # weights = teacher's best scores ½, ¾ (sum 1.25 > 1): (½ · ½·ln(4/3)) / 1.25 × tau²
    box = 0.5 * 0.5 * math.log(4 / 3) / 1.25 * tau**2
    got = float(output_distill_loss(*_output_case(tau), reg_max=2, tau=tau))
    assert got == pytest.approx(cls + box, rel=1e-6)


def test_output_distillation_is_minimal_when_student_equals_teacher() -> None:
    """BCE against soft targets is not 0 at student == teacher but the teacher scores' entropy, its minimum:
    there the box KL is 0, the class term equals that entropy, and the gradient w.r.t. the student is 0."""
    g = torch.Generator().manual_seed(1)
    t_box = [torch.randn(2, 4 * 16, h, h, generator=g) * 2 for h in (4, 2)]
    t_cls = [torch.randn(2, 3, h, h, generator=g) * 2 for h in (4, 2)]
    s_box = [t.clone().requires_grad_(True) for t in t_box]
    s_cls = [t.clone().requires_grad_(True) for t in t_cls]
    loss = output_distill_loss(s_box, s_cls, t_box, t_cls, reg_max=16, tau=1.0)
    loss.backward()
    p = torch.cat([t.reshape(2, 3, -1) for t in t_cls], 2).sigmoid()
    entropy = -(p * p.log() + (1 - p) * (1 - p).log()).sum(1).mean()
    assert float(loss.detach()) == pytest.approx(float(entropy), rel=1e-5)
    assert max(float(t.grad.abs().max()) for t in s_box + s_cls) < 1e-6
