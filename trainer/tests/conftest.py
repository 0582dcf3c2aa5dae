"""The trainer's pytest suite: makes the package importable from trainer/ and runs torch on one thread (the
suite is sized for a busy 2-core machine; one thread also keeps the numbers repeatable)."""

from __future__ import annotations

import sys

import torch

from support import TRAINER

if TRAINER not in sys.path:
    sys.path.insert(0, TRAINER)

torch.set_num_threads(1)
