"""Step 2 of the INT8 parity fixture: calibrates the model and tensors that quant-parity-dump.ts wrote with
onnxruntime's Python quantizer (MinMax calibrator, uint8 activations, int8 symmetric per-channel weights) and
writes each activation's scale and zero point and each Conv weight's per-channel scales as JSON.
Needs the onnxruntime and onnx Python packages (the project venv has both).
  python tools/dev-checks/quant-parity-fixture.py tmp/quant-parity test/fixtures/quantize/ort-minmax-tiny.json
"""

import json
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, numpy_helper
from onnxruntime.quantization.calibrate import CalibrationMethod, create_calibrator
from onnxruntime.quantization.quant_utils import compute_scale_zp, get_qmin_qmax_for_qType, quantize_data
from quant_images import Images

OPS = ["Conv", "Add", "Mul", "Sigmoid", "MaxPool", "Resize", "Concat", "Split", "Reshape", "Transpose", "Slice"]



def main(folder: Path, out: Path) -> None:
    meta = json.loads((folder / "meta.json").read_text())
    model = onnx.load(str(folder / "model.onnx"))
    input_name = model.graph.input[0].name
    calibrator = create_calibrator(
        str(folder / "model.onnx"),
        OPS,
        augmented_model_path=str(folder / "augmented.onnx"),
        calibrate_method=CalibrationMethod.MinMax,
    )
    calibrator.collect_data(Images(folder, meta["images"], meta["imgsz"], input_name))
    ranges = calibrator.compute_data()
    qmin, qmax = get_qmin_qmax_for_qType(TensorProto.UINT8)
    activations = {}
    for name in sorted(ranges.data):
        rmin, rmax = (np.asarray(v, dtype=np.float32).reshape(()) for v in ranges[name].range_value)
        zero_point, scale = compute_scale_zp(rmin, rmax, qmin, qmax)
        activations[name] = {"min": float(rmin), "max": float(rmax), "scale": float(scale), "zero_point": int(zero_point)}
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    weights = {}
    for node in model.graph.node:
        if node.op_type == "Conv" and node.input[1] in inits:
            w = inits[node.input[1]]
            weights[node.input[1]] = [float(quantize_data(w[c].ravel(), TensorProto.INT8, True)[1]) for c in range(w.shape[0])]
    out.write_text(
        json.dumps(
            {
                "generator": f"onnxruntime {onnxruntime.__version__} MinMax calibrator, compute_scale_zp, quantize_data",
                "images": meta["images"],
                "imgsz": meta["imgsz"],
                "activations": activations,
                "weights": weights,
            },
            indent=1,
        )
        + "\n"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
