"""Paths into the repository for the trainer's tests (imported by them; conftest.py makes the package importable)."""

from __future__ import annotations

import os

TRAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TRAINER)
FIXTURES = os.path.join(ROOT, "test", "fixtures", "trainer")
MODELS = os.path.join(ROOT, "models")
BCCD = os.path.join(ROOT, "datasets", "bccd")
