"""The calibration tensors quant-parity-dump.ts wrote, as onnxruntime's CalibrationDataReader (shared by the
INT8 dev checks)."""

from pathlib import Path

import numpy as np
from onnxruntime.quantization.calibrate import CalibrationDataReader


class Images(CalibrationDataReader):
    def __init__(self, folder: Path, count: int, size: int, input_name: str):
        self.items = iter(
            {input_name: np.fromfile(folder / f"image-{i}.f32", dtype=np.float32).reshape(1, 3, size, size)}
            for i in range(count)
        )

    def get_next(self):
        return next(self.items, None)
