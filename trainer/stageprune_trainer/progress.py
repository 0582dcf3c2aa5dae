"""JSON lines on stdout: one object per line with an `event` field (schema in trainer/README.md)."""

from __future__ import annotations

import json
import math
import sys
from typing import Any


def _clean(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 6) if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def emit(event: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, **_clean(fields)}) + "\n")
    sys.stdout.flush()
