"""Distillation losses: channel-wise distillation (Shu et al., ICCV 2021) on the neck outputs, and an
optional output-level term on the raw head outputs."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .loss_detect import flatten_head

Tensor = torch.Tensor


def cwd_loss(student: Tensor, teacher: Tensor, tau: float = 1.0) -> Tensor:
    """Per channel, softmax over the H×W positions at temperature tau; KL(teacher ‖ student) summed over
    positions, × tau², averaged over N×C (MMRazor's ChannelWiseDivergence)."""
    n, c, h, w = teacher.shape
    s = student.float().reshape(n * c, h * w) / tau
    t = teacher.float().reshape(n * c, h * w) / tau
    p_t = F.softmax(t, dim=1)
    kl = (p_t * (F.log_softmax(t, dim=1) - F.log_softmax(s, dim=1))).sum()
    return kl * tau**2 / (n * c)


class Adapters(nn.Module):
    """1×1 convolutions mapping pruned student channels to the teacher's, one per level (Identity where
    the counts already match). Trained with the student, never exported."""

    def __init__(self, student_channels: list[int], teacher_channels: list[int]):
        super().__init__()
        self.levels = nn.ModuleList(
            nn.Identity() if cs == ct else nn.Conv2d(cs, ct, 1, bias=True)
            for cs, ct in zip(student_channels, teacher_channels)
        )

    def forward(self, feats: list[Tensor]) -> list[Tensor]:
        return [m(f) for m, f in zip(self.levels, feats)]


def output_distill_loss(s_box: list[Tensor], s_cls: list[Tensor], t_box: list[Tensor], t_cls: list[Tensor],
                        reg_max: int, tau: float = 1.0) -> Tensor:
    """Class logits: BCE against the teacher's sigmoid scores; box distributions: KL(teacher ‖ student)
    of each side's reg_max-bin softmax, weighted by the teacher's best class score. Means over anchors."""
    s_dist, s_logit = flatten_head(s_box, s_cls)
    t_dist, t_logit = flatten_head(t_box, t_cls)
    t_score = t_logit.float().sigmoid()
    cls = F.binary_cross_entropy_with_logits(s_logit.float(), t_score, reduction="none").sum(-1).mean()
    b, a, _ = s_dist.shape
    sd = F.log_softmax(s_dist.float().view(b, a, 4, reg_max) / tau, -1)
    td = F.log_softmax(t_dist.float().view(b, a, 4, reg_max) / tau, -1)
    kl = (td.exp() * (td - sd)).sum(-1).mean(-1)  # (B, A)
    weight = t_score.amax(-1)
    box = (kl * weight).sum() / weight.sum().clamp(min=1) * tau**2
    return cls + box
