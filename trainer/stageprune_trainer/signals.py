"""SIGTERM/SIGINT set a flag that the training loop checks between steps (a checkpoint is written, exit
75). Installed first thing in main, so a signal that arrives while torch or the models load is not lost."""

from __future__ import annotations

import signal
from typing import Any

stop = {"signal": 0}


def _on_signal(signum: int, _frame: Any) -> None:
    stop["signal"] = signum


def install() -> None:
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
